import { TelegramSandbox, type SandboxBot, type SandboxUser } from '@botplatform/telegram-sandbox';
import { Api } from 'grammy';
import { TelegramThrottle } from './telegram-throttle.js';

// Against the sandbox with its rate limits on: the throttle is set looser than the sandbox on purpose,
// so Telegram-style 429s happen and must be waited out.
describe('TelegramThrottle against the sandbox with rate limits on', () => {
  let sandbox: TelegramSandbox;
  let bot: SandboxBot;
  let api: Api;

  beforeAll(async () => {
    sandbox = new TelegramSandbox({ rateLimits: { perChat: { limit: 10, windowMs: 1_000, burst: 10 } } });
    await sandbox.start();
    bot = sandbox.createBot({ username: 'throttle_bot' });
    api = new Api(bot.token, { apiRoot: sandbox.apiRoot });
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  const startedUser = (firstName: string): SandboxUser => {
    const user = sandbox.createUser({ firstName });
    sandbox.chat(user, bot).sendCommand('start');
    return user;
  };

  it('delivers a burst of 30 to one chat, all of it, in order, waiting out the 429s', async () => {
    const alice = startedUser('Alice');
    const throttle = new TelegramThrottle({ limits: { perChat: { limit: 25, windowMs: 1_000, burst: 1 } } });
    const texts = Array.from({ length: 30 }, (_, i) => `burst ${i + 1}`);

    const outcomes = await Promise.all(
      texts.map((text) => throttle.send({ botId: 'throttle', tokenVersion: 1 }, alice.id, () => api.sendMessage(alice.id, text))),
    );

    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(
      sandbox
        .chat(alice, bot)
        .botMessages()
        .map((m) => m.text),
    ).toEqual(texts);
    const calls = sandbox.apiCalls(bot, 'sendMessage').filter((call) => call.params.chat_id === String(alice.id));
    const refused = calls.filter((call) => call.errorCode === 429).length;
    expect(refused).toBeGreaterThan(0);
    expect(calls.every((call) => call.errorCode === undefined || call.errorCode === 429)).toBe(true);
    // Every refused call was tried again, and counted.
    expect(outcomes.reduce((sum, outcome) => sum + outcome.attempts, 0)).toBe(30 + refused);
  }, 20_000);

  it('stays within the limits it is given, so Telegram never has to refuse', async () => {
    const bob = startedUser('Bob');
    const carol = startedUser('Carol');
    const throttle = new TelegramThrottle({ limits: { perChat: { limit: 8, windowMs: 1_000, burst: 1 } } });
    const sends = [bob, carol].flatMap((user) =>
      Array.from({ length: 16 }, (_, i) => throttle.send({ botId: 'throttle', tokenVersion: 1 }, user.id, () => api.sendMessage(user.id, `steady ${i + 1}`))),
    );

    const outcomes = await Promise.all(sends);

    // Sent unthrottled, 6 of each chat's 16 would be refused: the sandbox lets 10 through at once.
    expect(outcomes.map((outcome) => outcome.attempts)).toEqual(Array(32).fill(1));
    for (const user of [bob, carol]) {
      expect(
        sandbox
          .chat(user, bot)
          .botMessages()
          .map((m) => m.text),
      ).toEqual(Array.from({ length: 16 }, (_, i) => `steady ${i + 1}`));
    }
  });
});
