import { InvalidBotTokenError } from './bot.errors.js';

const BOT_TOKEN = /^(\d{1,20}):[A-Za-z0-9_-]{30,64}$/;

/**
 * Checks a BotFather token's shape and returns its numeric prefix, the Telegram bot's public id (the
 * same for every token of that bot, so it tells a rotation to the same bot from a mix-up). Throws
 * InvalidBotTokenError without repeating the token.
 */
export function parseBotToken(token: string): { telegramBotId: number } {
  const match = typeof token === 'string' ? BOT_TOKEN.exec(token) : null;
  if (!match) throw new InvalidBotTokenError('expected <bot id>:<secret> as BotFather gives it');
  const telegramBotId = Number(match[1]);
  if (!Number.isSafeInteger(telegramBotId) || telegramBotId <= 0) throw new InvalidBotTokenError('the bot id before ":" is out of range');
  return { telegramBotId };
}
