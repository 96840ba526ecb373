import { InProcessBroker, InProcessClient, RpcClient } from '@botplatform/bus';
import { botFeatureRpcOf, type BotUpdateJson } from '@botplatform/contracts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Message } from 'grammy/types';
import { BotFeatureRouter } from '../router/bot-feature-router.js';
import { InlineKeyboard } from '../router/keyboards.js';
import { CallbackData } from '../routing/callback-data.js';
import { FeatureTestKit, KIT_TRY_AGAIN, type KitBot } from './feature-test-kit.js';

const text = (expected: string | RegExp) => (message: Message) =>
  typeof expected === 'string' ? message.text === expected : expected.test(message.text ?? '');

const buttons = new CallbackData('notes');

/** A small feature as a service would write it: a question, an answer kept in the session, a button, an admin command. */
function notesRouter(): BotFeatureRouter {
  return new BotFeatureRouter('notes')
    .command('note', { description: { en: 'write a note' } }, (ctx) => {
      ctx.enterStep('notes:text').reply('What should I remember?');
    })
    .step('notes:text', (ctx) => {
      const notes = [...(ctx.session<string[]>() ?? []), ctx.step?.text ?? ''];
      ctx.setSession(notes);
      ctx.leaveStep().reply(`Noted (${notes.length}).`, { keyboard: new InlineKeyboard().text('Show all', buttons.encode('all')) });
    })
    .callback(buttons, (ctx) => {
      ctx.edit((ctx.session<string[]>() ?? []).join('\n')).answerCallback(`${ctx.session<string[]>()?.length ?? 0} notes`);
    })
    .command('wipe', { description: { en: 'wipe all notes' }, audience: 'admins', featureFlag: 'notes.wipe' }, (ctx) => {
      if (!ctx.isAdmin) ctx.reply('Only admins may wipe.');
      else ctx.setSession(undefined).reply('Wiped.');
    })
    .command('slow', { description: { en: 'takes its time' } }, async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      ctx.reply('finally');
    });
}

let kit: FeatureTestKit;
let bot: KitBot;
let router: BotFeatureRouter;

beforeAll(async () => {
  router = notesRouter();
  const broker = new InProcessBroker();
  // The same request/reply path a service's RPC controller serves: JSON across, typed errors back.
  broker.register(botFeatureRpcOf('notes').subject, (data) => router.handle(data as BotUpdateJson));
  kit = await FeatureTestKit.start({ rpc: new RpcClient(new InProcessClient(broker)), declarations: () => [router.declaration()], deadlineMs: 500 });
  bot = await kit.bot({ name: 'Notes' });
});

afterAll(async () => {
  await kit?.close();
});

describe('The feature test kit', () => {
  it('drives a command, a conversation step with the session and a button, as a member would', async () => {
    const chat = bot.chat(kit.user('Ann'));
    chat.sendCommand('note');
    await chat.waitForMessage(text('What should I remember?'));
    chat.sendText('buy milk');
    await chat.waitForMessage(text('Noted (1).'));
    chat.sendCommand('note');
    await chat.waitForMessage(text('What should I remember?'));
    chat.sendText('call Bob');
    const noted = await chat.waitForMessage(text('Noted (2).'));
    const answer = await chat.pressCallbackButton(noted, 'Show all');
    expect(answer.text).toBe('2 notes');
    await chat.waitForEdit(text('buy milk\ncall Bob'));
  });

  it('sends text outside a step nowhere, and a command instead of an answer cancels the question', async () => {
    const chat = bot.chat(kit.user('Ben'));
    chat.sendText('hello?');
    chat.sendCommand('note');
    await chat.waitForMessage(text('What should I remember?'));
    chat.sendCommand('note');
    await chat.waitForMessage((message) => message.text === 'What should I remember?' && chat.botMessages().length === 2);
    chat.sendText('only this');
    await chat.waitForMessage(text('Noted (1).'));
    expect(chat.botMessages().map((message) => message.text)).toEqual(['What should I remember?', 'What should I remember?', 'Noted (1).']);
  });

  it('routes a flagged command only while the flag is on, and lets the service decide on the role', async () => {
    const cleo = kit.user('Cleo');
    const chat = bot.chat(cleo);
    chat.sendCommand('wipe');
    chat.sendCommand('note');
    await chat.waitForMessage(text('What should I remember?'));
    expect(chat.botMessages()).toHaveLength(1);

    bot.setFlag('notes.wipe', true);
    chat.sendCommand('wipe');
    await chat.waitForMessage(text('Only admins may wipe.'));
    bot.setRole(cleo, 'ROLE_ADMIN');
    chat.sendCommand('wipe');
    await chat.waitForMessage(text('Wiped.'));
  });

  it('answers "try again" when the service misses its deadline, and logs it', async () => {
    const chat = bot.chat(kit.user('Dan'));
    chat.sendCommand('slow');
    await chat.waitForMessage(text(KIT_TRY_AGAIN));
    expect(kit.errors.some((line) => line.includes('/slow') && line.includes('notes'))).toBe(true);
  });

  it('serves a route added after the start without restarting anything', async () => {
    router.command('count', { description: { en: 'how many notes' } }, (ctx) => {
      ctx.reply(`${ctx.session<string[]>()?.length ?? 0} notes`);
    });
    const chat = bot.chat(kit.user('Eve'));
    chat.sendCommand('count');
    await chat.waitForMessage(text('0 notes'));
  });
});
