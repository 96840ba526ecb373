import type { CallbackAnswer } from '../state/sandbox-records.js';
import { TelegramErrors } from '../errors/telegram-api.error.js';
import { randomNumericId } from '../state/random-ids.js';

interface PendingCallbackQuery {
  id: string;
  botId: number;
  conversationKey: string;
  messageId?: number;
  data?: string;
  createdAt: number;
  answer?: CallbackAnswer;
  waiters: Array<(answer: CallbackAnswer) => void>;
}

/** Telegram accepts answers for a while after the press; later answers are "too old". */
const ANSWER_WINDOW_MS = 15 * 60 * 1000;

/** Callback queries users created, so answerCallbackQuery can be checked and its answer recorded. */
export class CallbackQueryRegistry {
  private readonly queries = new Map<string, PendingCallbackQuery>();

  create(botId: number, conversationKey: string, messageId: number | undefined, data: string | undefined): string {
    const id = randomNumericId();
    this.queries.set(id, { id, botId, conversationKey, messageId, data, createdAt: Date.now(), waiters: [] });
    return id;
  }

  /** Records the bot's answer; a second answer or an unknown id fails like Telegram. */
  answer(
    botId: number,
    id: string,
    answer: Omit<CallbackAnswer, 'callbackQueryId' | 'messageId' | 'data'>,
  ): {
    conversationKey: string;
    answer: CallbackAnswer;
  } {
    const query = this.queries.get(id);
    if (!query || query.botId !== botId || query.answer || Date.now() - query.createdAt > ANSWER_WINDOW_MS) {
      throw TelegramErrors.queryTooOld();
    }
    query.answer = { callbackQueryId: id, messageId: query.messageId, data: query.data, ...answer };
    for (const waiter of query.waiters.splice(0)) waiter(query.answer);
    return { conversationKey: query.conversationKey, answer: query.answer };
  }

  /** Resolves with the answer, or undefined when none comes within `timeoutMs`. */
  waitForAnswer(id: string, timeoutMs: number): Promise<CallbackAnswer | undefined> {
    const query = this.queries.get(id);
    if (!query) return Promise.resolve(undefined);
    if (query.answer) return Promise.resolve(query.answer);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        query.waiters = query.waiters.filter((waiter) => waiter !== onAnswer);
        resolve(undefined);
      }, timeoutMs);
      const onAnswer = (answer: CallbackAnswer): void => {
        clearTimeout(timer);
        resolve(answer);
      };
      query.waiters.push(onAnswer);
    });
  }
}
