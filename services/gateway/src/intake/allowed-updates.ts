import type { Update } from 'grammy/types';

/**
 * The updates the gateway asks Telegram for (getUpdates and setWebhook): what its own middleware and
 * the bot-features protocol handle. Listed rather than left to Telegram's default because `subscription`
 * (a Stars subscription cancelled, re-enabled or failed in Telegram's own UI) comes only when asked for,
 * and because updates nobody handles would only be journaled and passed over.
 */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'pre_checkout_query', 'my_chat_member', 'subscription'] as const satisfies readonly Exclude<
  keyof Update,
  'update_id'
>[];
