import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api, GrammyError } from 'grammy';
import { TelegramSandbox } from '../index.js';

/** `allow_paid_broadcast` as Telegram prices it: 0.1 Star per message from the bot's balance, refused when it cannot pay. */
describe('paid broadcasts', () => {
  const sandbox = new TelegramSandbox();
  let counter = 0;

  beforeAll(async () => {
    await sandbox.start();
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  function setup(members: number) {
    const bot = sandbox.createBot({ username: `paid${++counter}_bot` });
    const users = Array.from({ length: members }, (_, i) => {
      const user = sandbox.createUser({ firstName: `Member ${i}` });
      sandbox.chat(user, bot).sendText('hi');
      return user;
    });
    return { bot, users, api: new Api(bot.token, { apiRoot: sandbox.apiRoot }) };
  }

  const codeOf = async (send: Promise<unknown>) => {
    try {
      await send;
      return 'ok';
    } catch (error) {
      if (error instanceof GrammyError) return `${error.error_code} ${error.description}`;
      throw error;
    }
  };

  it('charges exactly 0.1 Star per paid message, 1 Star per 10, and nothing for the others', async () => {
    const { bot, users, api } = setup(25);
    sandbox.grantBotStars(bot, 10);
    for (const user of users) await api.sendMessage(user.id, 'news', { allow_paid_broadcast: true });
    // A send without the flag costs nothing.
    await api.sendMessage(users[0].id, 'free', {});
    expect(sandbox.paidBroadcastMessages(bot)).toBe(25);
    expect(sandbox.botStarBalanceTenths(bot)).toBe(100 - 25);
    // 7.5 Stars: 7 whole and 500,000,000 nanostars.
    expect(await api.getMyStarBalance()).toEqual({ amount: 7, nanostar_amount: 500_000_000 });
  });

  it('passes 100 paid sends in one burst (the 1000/s lane) where the free lane refuses above 30', async () => {
    const { bot, users, api } = setup(100);
    sandbox.grantBotStars(bot, 20);
    const paid = await Promise.all(users.map((user) => codeOf(api.sendMessage(user.id, 'paid', { allow_paid_broadcast: true }))));
    expect(paid.filter((c) => c === 'ok')).toHaveLength(100);
    expect(sandbox.botStarBalanceTenths(bot)).toBe(100);
    const free = await Promise.all(users.map((user) => codeOf(api.sendMessage(user.id, 'free'))));
    expect(free.filter((c) => c.startsWith('429')).length).toBeGreaterThan(50);
  });

  it('refuses a paid send the balance cannot pay (400 BALANCE_TOO_LOW), charging nothing, and sends once it can', async () => {
    const { bot, users, api } = setup(12);
    sandbox.grantBotStars(bot, 1);
    const results: string[] = [];
    for (const user of users) results.push(await codeOf(api.sendMessage(user.id, 'news', { allow_paid_broadcast: true })));
    expect(results.slice(0, 10)).toEqual(Array(10).fill('ok'));
    expect(results.slice(10)).toEqual(['400 Bad Request: BALANCE_TOO_LOW', '400 Bad Request: BALANCE_TOO_LOW']);
    expect(sandbox.chat(users[10], bot).botMessages()).toEqual([]);
    expect(sandbox.botStarBalanceTenths(bot)).toBe(0);
    expect(sandbox.paidBroadcastMessages(bot)).toBe(10);
    // Racing sends on the last tenths: exactly as many pass as the balance pays for.
    sandbox.grantBotStars(bot, 1);
    const raced = await Promise.all(users.map((user) => codeOf(api.sendMessage(user.id, 'again', { allow_paid_broadcast: true }))));
    expect(raced.filter((c) => c === 'ok')).toHaveLength(10);
    expect(sandbox.botStarBalanceTenths(bot)).toBe(0);
  });
});
