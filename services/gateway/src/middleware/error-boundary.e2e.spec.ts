import { RPC } from '@botplatform/contracts';
import { InProcessClient, RpcCallError, RpcClient } from '@botplatform/bus';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TelegramSandbox, type SandboxBot, type SandboxChat } from '@botplatform/telegram-sandbox';
import { waitFor } from '@botplatform/testing';
import { Bot, InlineKeyboard } from 'grammy';
import type { Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';
import type { BotContext } from '../bot/bot-context.js';
import { CapturingLogger } from '../features/testing/capturing.logger.js';
import { MembersStandIn } from '../features/testing/members.stand-in.js';
import { UsersClient } from '../users/users.client.js';
import { createErrorBoundaryHandler, errorNoticeOf } from './error-boundary.js';

const CORRELATION = '0f3c2a9e-5b1d-4c7a-9e8f-1a2b3c4d5e6f';
const rpcError = (code: string, message = 'refused', details?: Record<string, unknown>) =>
  new RpcCallError(RPC.users.consumeQuota.subject, { code, message, ...(details ? { details } : {}) });

describe('errorNoticeOf', () => {
  it.each([
    ['USERS.MEMBER_BLOCKED', 'error-member-blocked'],
    ['USERS.NOT_AN_ADMIN', 'error-not-an-admin'],
    ['USERS.OWNER_ONLY', 'error-owner-only'],
    ['USERS.CANNOT_BLOCK_ADMIN', 'error-cannot-block'],
    ['USERS.CANNOT_BLOCK_SELF', 'error-cannot-block'],
    ['USERS.NOT_A_MEMBER', 'error-not-a-member'],
    ['USERS.INVALID_SETTING', 'error-invalid-setting'],
    ['USERS.SETTING_TYPE_MISMATCH', 'error-invalid-setting'],
    ['USERS.REASON_REQUIRED', 'error-validation-failed'],
    ['VALIDATION.FAILED', 'error-validation-failed'],
  ])('gives %s its own text', (code, key) => {
    expect(errorNoticeOf(rpcError(code), CORRELATION)).toEqual({ key, variables: {} });
  });

  it("tells when the quota resets, from the error's typed details", () => {
    const quotaExceeded = (details?: Record<string, unknown>) => rpcError('USERS.QUOTA_EXCEEDED', 'daily quota exceeded', details);
    expect(errorNoticeOf(quotaExceeded({ used: 20, limit: 20, requested: 1, resetsAt: '2026-11-24T21:00:00Z' }), CORRELATION)).toEqual({
      key: 'error-quota-exceeded',
      variables: { time: '21:00 UTC' },
    });
    expect(errorNoticeOf(quotaExceeded({ resetsAt: '2026-11-24T21:05:30.250Z' }), CORRELATION).variables).toEqual({ time: '21:05 UTC' });
    expect(errorNoticeOf(quotaExceeded(), CORRELATION)).toEqual({ key: 'error-quota-exceeded-no-time', variables: {} });
    expect(errorNoticeOf(quotaExceeded({ resetsAt: 'tomorrow' }), CORRELATION)).toEqual({ key: 'error-quota-exceeded-no-time', variables: {} });
  });

  it('never reads the reset out of the error message, which is for people and logs', () => {
    expect(errorNoticeOf(rpcError('USERS.QUOTA_EXCEEDED', 'quota 20 used, resets at 2026-11-24T21:00:00.000Z'), CORRELATION)).toEqual({
      key: 'error-quota-exceeded-no-time',
      variables: {},
    });
  });

  it('answers anything else with a reference: the first 8 characters of the correlation id', () => {
    for (const error of [new Error('bug'), rpcError('INTERNAL'), rpcError('USERS.SOMETHING_NEW'), 'a string', undefined]) {
      expect(errorNoticeOf(error, CORRELATION)).toEqual({ key: 'error-generic', variables: { reference: '0f3c2a9e' } });
    }
  });
});

describe('The error boundary on a grammY bot', () => {
  const sandbox = new TelegramSandbox({ rateLimits: false });
  const logger = new CapturingLogger();
  let users: MembersStandIn;
  let rpc: RpcClient;
  let telegram: SandboxBot;
  let bot: Bot<BotContext>;
  const botId = randomUUID();
  /** What the next update's handler throws (or does before throwing). */
  let failure: (ctx: BotContext) => Promise<never>;
  let lastCorrelation = '';

  const text = (pattern: RegExp | string) => (message: Message) => (typeof pattern === 'string' ? message.text === pattern : pattern.test(message.text ?? ''));

  beforeAll(async () => {
    await sandbox.start();
    users = await MembersStandIn.start();
    rpc = new RpcClient(new InProcessClient(users.broker));
    telegram = sandbox.createBot({ username: 'boundary_bot' });
    bot = new Bot<BotContext>(telegram.token, { client: { apiRoot: sandbox.apiRoot } });
    // Deliberately no i18n middleware: the boundary must speak the user's language on its own.
    bot.use(async (ctx, next) => {
      ctx.tenant = { botId, name: 'Boundary', tokenVersion: 1 };
      ctx.correlationId = lastCorrelation = randomUUID();
      await next();
    });
    bot.command('menu', (ctx) => ctx.reply('menu', { reply_markup: new InlineKeyboard().text('press', 'press') }));
    bot.on(['message', 'callback_query'], (ctx) => failure(ctx));
    bot.catch(createErrorBoundaryHandler({ users: new UsersClient(rpc), logger }));
    await new Promise<void>((resolve, reject) => {
      bot.start({ timeout: 30, onStart: () => resolve() }).catch(reject);
    });
  });

  afterAll(async () => {
    if (bot?.isRunning()) await bot.stop();
    await rpc?.close();
    await users?.close();
    await sandbox.stop();
  });

  function chatWith(languageCode: string): SandboxChat {
    return sandbox.chat(sandbox.createUser({ firstName: 'Tester', languageCode }), telegram);
  }

  it("answers a typed error in the user's Telegram language", async () => {
    failure = async () => {
      throw rpcError('USERS.QUOTA_EXCEEDED', 'daily quota exceeded', { resetsAt: '2026-11-24T21:00:00Z' });
    };
    const russian = chatWith('ru-RU');
    russian.sendText('go');
    await russian.waitForMessage(text('Дневной лимит исчерпан. Он обновится в 21:00 UTC.'));
    failure = async () => {
      throw rpcError('USERS.NOT_AN_ADMIN');
    };
    const english = chatWith('de');
    english.sendText('go');
    await english.waitForMessage(text('Only admins of this bot can do that.'));
  });

  it("prefers the member's chosen language", async () => {
    failure = async (ctx) => {
      ctx.member = { botId, telegramUserId: String(ctx.from!.id), firstName: 'Tester', languageOverride: 'ru' };
      throw rpcError('VALIDATION.FAILED');
    };
    const chat = chatWith('en');
    chat.sendText('go');
    await chat.waitForMessage(text('Что-то не так с отправленными данными. Проверьте и попробуйте снова.'));
  });

  it('logs the failure with bot, update and correlation ids, never the token, and answers with the reference', async () => {
    failure = async () => {
      throw new Error(`request to ${sandbox.apiRoot}/bot${telegram.token}/sendMessage failed`);
    };
    const chat = chatWith('en');
    chat.sendText('go');
    const apology = await chat.waitForMessage(text(/^Something went wrong\. Reference: /));
    expect(apology.text).toBe(`Something went wrong. Reference: ${lastCorrelation.slice(0, 8)}`);
    const logged = logger.errors().at(-1)!;
    expect(logged.message).toMatch(
      new RegExp(`^update \\d+ of bot ${botId} failed \\(correlation ${lastCorrelation}\\): Error: request to .*/bot<token>/sendMessage failed$`),
    );
    expect(JSON.stringify(logger.entries)).not.toContain(telegram.token);
  });

  it('answers the callback query of a failed button press, and explains in the chat', async () => {
    const chat = chatWith('en');
    failure = async () => {
      throw new Error('button bug');
    };
    chat.sendCommand('menu');
    const menu = await chat.waitForMessage(text('menu'));
    await chat.pressCallbackButton(menu, 'press');
    await chat.waitForMessage(text(/^Something went wrong\. Reference: [0-9a-f]{8}$/));
  });

  it('records a user who blocked the bot (403 while answering) and does not answer', async () => {
    const chat = chatWith('en');
    failure = async () => {
      chat.block();
      throw new Error('failed just as the user blocked the bot');
    };
    chat.sendText('go');
    const userId = String(chat.chatId);
    await waitFor('the block recorded', () => users.callsOf(RPC.users.recordBotBlocked).find((call) => call.telegramUserId === userId));
    expect(users.callsOf(RPC.users.recordBotBlocked).filter((call) => call.telegramUserId === userId)).toEqual([
      { botId, telegramUserId: userId, blocked: true },
    ]);
    expect(chat.botMessages()).toEqual([]);
  });

  it('records a 403 the handler itself ran into', async () => {
    const chat = chatWith('en');
    failure = async (ctx) => {
      chat.block();
      await ctx.reply('too late');
      throw new Error('unreachable');
    };
    chat.sendText('go');
    const userId = String(chat.chatId);
    await waitFor('the block recorded', () => users.callsOf(RPC.users.recordBotBlocked).find((call) => call.telegramUserId === userId));
    expect(logger.errors().at(-1)!.message).toContain("GrammyError: Call to 'sendMessage' failed! (403: Forbidden: bot was blocked by the user)");
  });

  it('never throws, even when recording the block fails', async () => {
    const chat = chatWith('en');
    users.failNext(RPC.users.recordBotBlocked, 'INTERNAL');
    failure = async () => {
      chat.block();
      throw new Error('again');
    };
    chat.sendText('go');
    await waitFor('the failed recording logged', () =>
      logger.entries.find((entry) => entry.level === 'warn' && entry.message.startsWith(`could not record that user ${chat.chatId} blocked`)),
    );
    // Still serving.
    failure = async () => {
      throw new Error('still here');
    };
    const next = chatWith('en');
    next.sendText('go');
    await next.waitForMessage(text(/^Something went wrong/));
  });
});
