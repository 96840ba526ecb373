import { BotFeatureRouter, FeatureDeclarationRefusedError, InlineKeyboard, ReplyKeyboard } from '@botplatform/bot-kit';
import { RpcCallError } from '@botplatform/bus';
import { RPC, rpcErrorDetailsOf } from '@botplatform/contracts';
import { waitFor } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InputFile } from 'grammy';
import type { Message } from 'grammy/types';
import { crc32, deflateSync } from 'node:zlib';
import type { FeatureServiceStandIn } from './testing/feature-service.stand-in.js';
import { RoutingHarness, type RoutingMode } from './testing/routing.harness.js';

const TRY_AGAIN = 'That did not work just now. Please try again in a moment.';
const TRY_AGAIN_RU = 'Сейчас не получилось. Пожалуйста, попробуйте ещё раз чуть позже.';
const text = (pattern: RegExp | string) => (message: Message) => (typeof pattern === 'string' ? message.text === pattern : pattern.test(message.text ?? ''));

/** Payments the shop fails to record before it records them (its database away for a moment). */
let paymentFailuresLeft = 0;

/** A shop as its own service would write it: plans, a promo-code question, Stars invoices. */
function shopRouter(): BotFeatureRouter {
  return new BotFeatureRouter('shop')
    .command('plans', { description: { en: 'Our plans', ru: 'Тарифы' } }, (ctx) => {
      ctx.reply('Plans: basic for 5 Stars.', {
        keyboard: new InlineKeyboard().text('Buy basic', 'plans:buy:basic').text('I have a promo code', 'plans:promo'),
      });
    })
    .callback('plans', (ctx) => {
      const press = ctx.callback!;
      if (press.action === 'buy') {
        ctx.answerCallback('Good choice');
        ctx.edit(`You chose ${press.args[0]}.`);
        ctx.sendInvoice({
          title: 'Basic plan',
          description: 'One month',
          payload: `order-${press.args[0]}`,
          currency: 'XTR',
          prices: [{ label: 'Basic', amount: '5' }],
        });
      } else if (press.action === 'promo') {
        ctx.enterStep('plans:promo', { plan: 'basic' });
        ctx.reply('Send me your promo code.');
      }
    })
    .step('plans:promo', (ctx) => {
      ctx.leaveStep();
      ctx.setSession({ promo: ctx.step?.text });
      ctx.reply(`Promo ${ctx.step?.text} applied to ${ctx.step?.data?.plan}.`);
    })
    .update('pre_checkout_query', (ctx) => {
      ctx.answerPreCheckout(true);
    })
    .message('successful_payment', (ctx) => {
      if (paymentFailuresLeft > 0) {
        paymentFailuresLeft--;
        throw new Error('could not record the payment');
      }
      const paid = ctx.message?.successfulPayment;
      ctx.reply(`Paid ${paid?.totalAmount} ${paid?.currency} for ${paid?.invoicePayload}. Promo: ${ctx.session<{ promo?: string }>()?.promo ?? 'none'}.`);
    })
    .command('vip', { description: { en: 'The VIP lounge' }, featureFlag: 'vip' }, (ctx) => {
      ctx.reply('Welcome to the VIP lounge.');
    })
    .deepLink('gift', (ctx) => {
      ctx.reply(`Gift ${ctx.command?.payload} for ${ctx.botUsername}.`);
    })
    .command('forge', { description: { en: 'A broken screen' } }, (ctx) => {
      // The gateway's own namespace: a service may never put such a button under its messages.
      ctx.reply('Pick a language', { keyboard: new InlineKeyboard().text('Русский', 'lang:set:ru') });
    });
}

describe.each<RoutingMode>(['in-process', 'nats'])('Routed bot features, end to end through the sandbox (%s)', (mode) => {
  let harness: RoutingHarness;
  let shop: FeatureServiceStandIn;

  beforeAll(async () => {
    harness = await RoutingHarness.start({ mode, botConfigTtlMs: 300 });
    shop = await harness.feature(shopRouter());
    await shop.declare();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('routes a command to its service with the member context, and performs its reply with buttons', async () => {
    const ann = harness.user('Ann', 'ru');
    const chat = harness.chat(ann);
    chat.sendCommand('plans');
    const plans = await chat.waitForMessage(text('Plans: basic for 5 Stars.'));
    expect(plans.reply_markup?.inline_keyboard[0]?.map((button) => button.text)).toEqual(['Buy basic', 'I have a promo code']);
    const update = shop.received.at(-1)!;
    expect(update).toMatchObject({
      chatId: String(ann.id),
      command: { command: 'plans', payload: '' },
      context: {
        botId: harness.botId,
        botName: 'Routed',
        language: 'ru',
        timeZone: 'UTC',
        member: { telegramUserId: String(ann.id), firstName: 'Ann', role: 'ROLE_USER' },
      },
    });
    expect(typeof update.updateId).toBe('string');
  });

  it("routes /start with a declared deep-link prefix to its service (with the bot's username), and keeps every other /start", async () => {
    const cleo = harness.user('Cleo');
    const chat = harness.chat(cleo);
    chat.sendCommand('start', 'gift_XMAS25');
    await chat.waitForMessage(text(`Gift gift_XMAS25 for ${harness.bot.username}.`));
    expect(shop.received.at(-1)).toMatchObject({ command: { command: 'start', payload: 'gift_XMAS25' }, context: { botUsername: harness.bot.username } });
    const routed = shop.received.length;
    for (const payload of [undefined, 'ref_42', 'other_1']) {
      chat.sendCommand('start', payload);
      await chat.waitForMessage(text('Hello, Cleo! I am Routed. Send /help to see what I can do.'));
    }
    expect(shop.received.length).toBe(routed);
  });

  it('routes a button press by its namespace: the callback answered, the message edited, an invoice sent; paying it goes through the service', async () => {
    const bob = harness.user('Bob');
    const chat = harness.chat(bob);
    chat.sendCommand('plans');
    const plans = await chat.waitForMessage(text(/^Plans:/));
    const answer = await chat.pressCallbackButton(plans, 'Buy basic');
    expect(answer.text).toBe('Good choice');
    await chat.waitForEdit(text('You chose basic.'));
    const invoice = await chat.waitForMessage((message) => message.invoice !== undefined);
    expect(invoice.invoice).toMatchObject({ title: 'Basic plan', currency: 'XTR', total_amount: 5 });

    const outcome = await chat.payInvoice(invoice);
    expect(outcome.status).toBe('paid');
    await chat.waitForMessage(text('Paid 5 XTR for order-basic. Promo: none.'));
    expect(shop.received.some((update) => update.preCheckout?.invoicePayload === 'order-basic')).toBe(true);
  });

  it('hands a payment to the service again when it failed to take it, rather than losing it', async () => {
    const pia = harness.user('Pia');
    const chat = harness.chat(pia);
    chat.sendCommand('plans');
    await chat.pressCallbackButton(await chat.waitForMessage(text(/^Plans:/)), 'Buy basic');
    const invoice = await chat.waitForMessage((message) => message.invoice !== undefined);
    paymentFailuresLeft = 1;
    expect((await chat.payInvoice(invoice)).status).toBe('paid');
    await chat.waitForMessage(text('Paid 5 XTR for order-basic. Promo: none.'), { timeoutMs: 5_000 });
    expect(paymentFailuresLeft).toBe(0);
    const deliveries = shop.received.filter((update) => update.message?.kind === 'MESSAGE_KIND_SUCCESSFUL_PAYMENT' && update.chatId === String(pia.id));
    expect(deliveries).toHaveLength(2);
    expect(chat.botMessages().filter((message) => message.text === TRY_AGAIN)).toEqual([]);
  });

  it("keeps a conversation step: the member's next text goes to the step with its data, and the service's session slice comes back", async () => {
    const cleo = harness.user('Cleo');
    const chat = harness.chat(cleo);
    chat.sendCommand('plans');
    const plans = await chat.waitForMessage(text(/^Plans:/));
    await chat.pressCallbackButton(plans, 'I have a promo code');
    await chat.waitForMessage(text('Send me your promo code.'));
    chat.sendText('SPRING25');
    await chat.waitForMessage(text('Promo SPRING25 applied to basic.'));
    expect(shop.received.at(-1)).toMatchObject({ step: { step: 'plans:promo', data: { plan: 'basic' }, text: 'SPRING25' } });

    // The step was left: the next text goes nowhere; the slice set by the step is sent with later updates.
    chat.sendText('hello?');
    chat.sendCommand('plans');
    await chat.waitForMessage(text(/^Plans:/));
    expect(shop.received.at(-1)).toMatchObject({ command: { command: 'plans' }, sessionJson: '{"promo":"SPRING25"}' });
    expect(shop.received.filter((update) => update.step?.text === 'hello?')).toEqual([]);
  });

  it('cancels a step when the member sends a command instead of an answer', async () => {
    const dan = harness.user('Dan');
    const chat = harness.chat(dan);
    chat.sendCommand('plans');
    const plans = await chat.waitForMessage(text(/^Plans:/));
    await chat.pressCallbackButton(plans, 'I have a promo code');
    await chat.waitForMessage(text('Send me your promo code.'));
    chat.sendCommand('help');
    await chat.waitForMessage(text(/^Here is what I can do:/));
    chat.sendText('LATE10');
    chat.sendCommand('plans');
    await chat.waitForMessage(text(/^Plans:/));
    expect(shop.received.filter((update) => update.step?.text === 'LATE10')).toEqual([]);
  });

  it("lists the routed commands in /help in the member's language, and in the bot's menu per language", async () => {
    const eva = harness.user('Ева', 'ru');
    const chat = harness.chat(eva);
    chat.sendCommand('help');
    const help = await chat.waitForMessage(text(/^Вот что я умею:/));
    expect(help.text).toContain('/plans - Тарифы');
    expect(help.text).toContain('/forge - A broken screen');
    expect(help.text).not.toContain('/vip');
    const api = harness.definition.host!.apiFor(harness.botId)!;
    expect((await api.getMyCommands()).map((command) => command.command)).toEqual(['start', 'help', 'language', 'forge', 'plans']);
    expect(await api.getMyCommands({ language_code: 'ru' })).toContainEqual({ command: 'plans', description: 'Тарифы' });
  });

  it('refuses an answer with a button of another namespace: nothing of it is sent, the member gets the polite answer, the error is logged', async () => {
    const fay = harness.user('Fay');
    const chat = harness.chat(fay);
    chat.sendCommand('forge');
    await chat.waitForMessage(text(TRY_AGAIN));
    expect(chat.botMessages().map((message) => message.text)).toEqual([TRY_AGAIN]);
    expect(harness.errors()).toContainEqual(
      expect.stringMatching(/^routed \/forge of update \d+ to shop failed .*service shop, code BOT\.ACTION_REFUSED\): .*lang:set:ru/),
    );
  });

  describe('when the service is slow or dead', () => {
    it('answers a command politely when the service takes 3 s, logs it with its correlation id, and drops the late answer', async () => {
      const gus = harness.user('Gus', 'ru');
      const chat = harness.chat(gus);
      shop.delayMs = 3_000;
      try {
        chat.sendCommand('plans');
        await chat.waitForMessage(text(TRY_AGAIN_RU), { timeoutMs: 5_000 });
        const logged = harness.errors().find((line) => line.includes('code BOT.SERVICE_TIMEOUT'));
        expect(logged).toMatch(
          /^routed \/plans of update \d+ to shop failed after 2\d{3} ms \(correlation [0-9a-f-]{36}, service shop, code BOT\.SERVICE_TIMEOUT\)/,
        );
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        expect(chat.botMessages().map((message) => message.text)).toEqual([TRY_AGAIN_RU]);
      } finally {
        shop.delayMs = 0;
      }
    });

    it('declines a pre-checkout in time when the service does not answer within its deadline', async () => {
      const hal = harness.user('Hal');
      const chat = harness.chat(hal);
      chat.sendCommand('plans');
      const plans = await chat.waitForMessage(text(/^Plans:/));
      await chat.pressCallbackButton(plans, 'Buy basic');
      const invoice = await chat.waitForMessage((message) => message.invoice !== undefined);
      shop.delayMs = 7_000;
      try {
        const started = Date.now();
        const outcome = await chat.payInvoice(invoice);
        expect(outcome).toEqual({ status: 'declined', errorMessage: TRY_AGAIN });
        expect(Date.now() - started).toBeLessThan(7_000);
      } finally {
        shop.delayMs = 0;
      }
    });

    it('answers a command, a button and a pre-checkout politely when no service responds, and serves again once it is back', async () => {
      const ida = harness.user('Ida');
      const chat = harness.chat(ida);
      chat.sendCommand('plans');
      await chat.pressCallbackButton(await chat.waitForMessage(text(/^Plans:/)), 'Buy basic');
      const invoice = await chat.waitForMessage((message) => message.invoice !== undefined);
      chat.sendCommand('plans');
      const plans = await chat.waitForMessage(text(/^Plans:/));

      await shop.stopServing();
      try {
        chat.sendCommand('plans');
        await chat.waitForMessage(text(TRY_AGAIN));
        const answer = await chat.pressCallbackButton(plans, 'Buy basic');
        expect(answer.text).toBe(TRY_AGAIN);
        const outcome = await chat.payInvoice(invoice);
        expect(outcome).toEqual({ status: 'declined', errorMessage: TRY_AGAIN });
        expect(harness.errors()).toContainEqual(
          expect.stringMatching(/^routed UPDATE_KIND_PRE_CHECKOUT_QUERY of update \d+ to shop failed .*service shop, code BOT\.NO_RESPONDER\)/),
        );
      } finally {
        await shop.listen();
      }
      chat.sendCommand('plans');
      await chat.waitForMessage(text(/^Plans:/));
    });
  });

  it('refuses a declaration that clashes with another service or the gateway, with GATEWAY.FEATURE_CLASH and its details', async () => {
    const rival = await harness.feature(new BotFeatureRouter('rival').command('plans', { description: { en: 'Cheaper plans' } }, () => undefined));
    await expect(rival.declare()).rejects.toThrow(FeatureDeclarationRefusedError);
    expect(rival.declarer.state).toBe('refused');

    const refusal = await harness.rpc
      .call(RPC.gateway.declareBotFeatures, { declaration: { service: 'rival', callbackNamespaces: [{ namespace: 'lang' }] } })
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RpcCallError);
    expect((refusal as RpcCallError).code).toBe('GATEWAY.FEATURE_CLASH');
    expect(rpcErrorDetailsOf(refusal as RpcCallError, 'GATEWAY.FEATURE_CLASH')).toMatchObject({ kind: 'callback_namespace', name: 'lang', owner: 'gateway' });
    const clash = await harness.rpc
      .call(RPC.gateway.declareBotFeatures, { declaration: { service: 'rival', commands: [{ command: 'plans', descriptions: { en: 'x' } }] } })
      .catch((error: unknown) => error as RpcCallError);
    expect(rpcErrorDetailsOf(clash as RpcCallError, 'GATEWAY.FEATURE_CLASH')).toMatchObject({ kind: 'command', name: 'plans', owner: 'shop' });
    expect(harness.definition.routing!.current().declarations.has('rival')).toBe(false);
  });

  it('hides a route and its menu entry while its flag is off, and routes it once the flag is on', async () => {
    const jan = harness.user('Jan');
    const chat = harness.chat(jan);
    const api = harness.definition.host!.apiFor(harness.botId)!;
    expect((await api.getMyCommands()).map((command) => command.command)).not.toContain('vip');
    chat.sendCommand('vip');
    chat.sendCommand('plans');
    await chat.waitForMessage(text(/^Plans:/));
    expect(chat.botMessages().map((message) => message.text)).not.toContain('Welcome to the VIP lounge.');
    expect(shop.received.filter((update) => update.command?.command === 'vip')).toEqual([]);

    harness.users.setFlag(harness.botId, 'vip', true);
    await new Promise((resolve) => setTimeout(resolve, 400)); // the flags' TTL in this harness
    chat.sendCommand('vip');
    await chat.waitForMessage(text('Welcome to the VIP lounge.'));
  });

  it("serves a service declared at runtime without a restart, and puts its commands in the bot's menus (the owner's own in their chat)", async () => {
    const ownerChat = harness.chat(harness.owner);
    ownerChat.sendCommand('start');
    await ownerChat.waitForMessage(text(/^Hello, Olga!/));

    const games = await harness.feature(
      new BotFeatureRouter('games')
        .command('dice', { description: { en: 'Roll a die', ru: 'Бросить кубик' } }, (ctx) => {
          ctx.reply(`${ctx.member.firstName} rolled a 4.`);
        })
        .command('payout', { description: { en: 'Pay the winners' }, audience: 'owner' }, (ctx) => {
          ctx.reply(ctx.isOwner ? 'Paid out.' : 'Only the owner can do that.');
        }),
    );
    await games.declare();
    const kim = harness.user('Kim');
    const chat = harness.chat(kim);
    chat.sendCommand('dice');
    await chat.waitForMessage(text('Kim rolled a 4.'));

    const api = harness.definition.host!.apiFor(harness.botId)!;
    const menu = await waitFor('the menu with /dice', async () => {
      const commands = (await api.getMyCommands()).map((command) => command.command);
      return commands.includes('dice') && commands;
    });
    expect(menu).toEqual(['start', 'help', 'language', 'dice', 'forge', 'plans', 'vip']);
    const ownerMenu = (await api.getMyCommands({ scope: { type: 'chat', chat_id: harness.owner.id } })).map((command) => command.command);
    expect(ownerMenu).toContain('payout');
    expect(await api.getMyCommands({ language_code: 'ru' })).toContainEqual({ command: 'dice', description: 'Бросить кубик' });
  });

  it('rebuilds the routing table from its events when the gateway restarts', async () => {
    const before = harness.definition.routing!;
    const version = before.version;
    const services = [...before.current().declarations.keys()].sort();
    await harness.stopGateway();
    await harness.startGateway();
    const after = harness.definition.routing!;
    expect(after).not.toBe(before);
    expect(after.version).toBe(version);
    expect([...after.current().declarations.keys()].sort()).toEqual(services);

    const leo = harness.user('Leo');
    const chat = harness.chat(leo);
    chat.sendCommand('plans');
    await chat.waitForMessage(text(/^Plans:/));
    chat.sendCommand('dice');
    await chat.waitForMessage(text('Leo rolled a 4.'));
  });

  it('performs the other actions: photo and document by file id, an invoice link, reply keyboards, an unchanged edit, a deletion', async () => {
    const api = harness.definition.host!.apiFor(harness.botId)!;
    const uploads = harness.user('Uploader');
    harness.chat(uploads).sendCommand('start');
    await harness.chat(uploads).waitForMessage(text(/^Hello, Uploader!/));
    const photo = await api.sendPhoto(uploads.id, new InputFile(tinyPng(), 'p.png'));
    const document = await api.sendDocument(uploads.id, new InputFile(Buffer.from('receipt'), 'r.txt'));
    const photoId = photo.photo.at(-1)!.file_id;
    const documentId = document.document.file_id;

    const media = await harness.feature(
      new BotFeatureRouter('media')
        .command('kit', { description: { en: 'Everything at once' } }, (ctx) => {
          ctx.sendPhoto(photoId, { caption: '<b>Photo</b>', parseMode: 'HTML' });
          ctx.sendDocument(documentId, { caption: 'Document' });
          ctx.sendInvoiceLink(
            {
              title: 'Monthly',
              description: 'Every month',
              payload: 'sub-1',
              currency: 'XTR',
              prices: [{ label: 'Month', amount: '10' }],
              subscriptionPeriod: 2_592_000,
            },
            'Subscribe here',
            'Subscribe',
          );
          ctx.reply('Pick one', { keyboard: new ReplyKeyboard().text('Yes').text('No').once() });
          ctx.reply('Same', { keyboard: new InlineKeyboard().text('Again', 'media:again').text('Delete', 'media:delete') });
        })
        .callback('media', (ctx) => {
          if (ctx.callback?.action === 'again')
            ctx.edit('Same', { keyboard: new InlineKeyboard().text('Again', 'media:again').text('Delete', 'media:delete') });
          else ctx.deleteMessage().reply('Keyboard gone', { keyboard: 'remove' });
        }),
    );
    await media.declare();
    const mia = harness.user('Mia');
    const chat = harness.chat(mia);
    chat.sendCommand('kit');
    const sentPhoto = await chat.waitForMessage((message) => message.photo !== undefined);
    expect(sentPhoto.caption).toBe('Photo');
    expect(sentPhoto.caption_entities?.[0]?.type).toBe('bold');
    expect((await chat.waitForMessage((message) => message.document !== undefined)).caption).toBe('Document');
    const link = await chat.waitForMessage(text('Subscribe here'));
    const url = (link.reply_markup?.inline_keyboard[0]?.[0] as { url?: string } | undefined)?.url;
    expect(url).toBeDefined();
    await chat.waitForMessage(text('Pick one'));
    expect(chat.replyKeyboard()?.keyboard.map((row) => row.map((button) => (typeof button === 'string' ? button : button.text)))).toEqual([['Yes', 'No']]);
    const same = await chat.waitForMessage(text('Same'));

    // The same text again (Telegram would answer "message is not modified", which counts as done).
    const again = await chat.pressCallbackButton(same, 'Again');
    expect(again.text).toBeUndefined();
    await chat.pressCallbackButton(same, 'Delete');
    await chat.waitForMessage(text('Keyboard gone'));
    expect(chat.messages().some((message) => message.message_id === same.message_id)).toBe(false);
    expect(chat.replyKeyboard()).toBeUndefined();
    expect(chat.botMessages().filter((message) => message.text === TRY_AGAIN)).toEqual([]);
    expect(harness.errors().filter((line) => line.includes('to media failed'))).toEqual([]);
  });
});

/** A real (tiny, grey) PNG, so the sandbox's image decoding accepts the upload. */
function tinyPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const checksum = Buffer.alloc(4);
    checksum.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, checksum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header[8] = 8;
  const rows = Buffer.from([0, 0x80, 0x80, 0, 0x80, 0x80]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
