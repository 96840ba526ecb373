import { TelegramTokenRejectedError, TelegramUnreachableError } from './bot.errors.js';

/**
 * Asks Telegram whether a token is a live bot's, before anything is stored. Resolves when it is;
 * throws TelegramTokenRejectedError or TelegramUnreachableError.
 */
export type BotTokenCheck = (token: string, telegramBotId: number) => Promise<void>;

/** A registration waits on it: long enough for a slow Bot API, short enough for an operator at a terminal. */
const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * One `getMe` on the Bot API at `apiRoot` (api.telegram.org, or the sandbox): 401/404 is a token Telegram
 * does not know, a bot id other than the token's numeric prefix a token that is not what it claims;
 * no answer, a timeout, 429 or 5xx say nothing about the token, so they are a retryable refusal. The
 * gateway later calls getMe too, but only after the registration was stored, and then a bad token would
 * only show as a bot that never starts.
 */
export function telegramTokenCheck(apiRoot: string, timeoutMs: number = DEFAULT_TIMEOUT_MS): BotTokenCheck {
  const root = apiRoot.replace(/\/+$/, '');
  return async (token, telegramBotId) => {
    let response: Response;
    try {
      response = await fetch(`${root}/bot${token}/getMe`, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      // The cause names the socket error (ECONNREFUSED...); the URL is never repeated, it holds the token.
      const cause = (error as { cause?: { code?: unknown } }).cause?.code;
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : typeof cause === 'string' ? cause : (error as Error).name;
      throw new TelegramUnreachableError(reason);
    }
    if (response.status === 401 || response.status === 404) {
      await response.body?.cancel();
      throw new TelegramTokenRejectedError(`getMe answered ${response.status}: no bot has this token`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new TelegramUnreachableError(`getMe answered ${response.status}`);
    }
    let body: { ok?: unknown; result?: { id?: unknown; is_bot?: unknown } };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new TelegramUnreachableError('getMe did not answer the Bot API JSON');
    }
    if (body?.ok !== true || typeof body.result?.id !== 'number') throw new TelegramUnreachableError('getMe answered without a bot');
    if (body.result.id !== telegramBotId || body.result.is_bot !== true) {
      throw new TelegramTokenRejectedError(`the token names bot ${telegramBotId}, Telegram says it belongs to ${String(body.result.id)}`);
    }
  };
}
