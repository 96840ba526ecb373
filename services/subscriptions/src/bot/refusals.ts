import type { FeatureContext } from '@botplatform/bot-kit';
import { SubscriptionsError } from '../subscriptions.errors.js';

/**
 * The refusals of the use cases a member or an admin can cause from the bot, in their language.
 * Anything else (a bug, the database away) is left to the gateway's polite "try again", with its
 * correlation id.
 */
export const REFUSAL_KEYS: Readonly<Record<string, string>> = {
  'SUBSCRIPTIONS.TRIAL_ALREADY_TAKEN': 'refused-trial-taken',
  'SUBSCRIPTIONS.ALREADY_SUBSCRIBED': 'refused-already-subscribed',
  'SUBSCRIPTIONS.NO_TRIAL': 'refused-no-trial',
  'SUBSCRIPTIONS.TRIAL_NOT_FREE': 'refused-trial-not-free',
  'SUBSCRIPTIONS.NOT_SUBSCRIBED': 'refused-not-subscribed',
  'SUBSCRIPTIONS.PLAN_NOT_FOUND': 'refused-plan-gone',
  'SUBSCRIPTIONS.PLAN_ARCHIVED': 'refused-plan-gone',
  'SUBSCRIPTIONS.NOT_A_CREDIT_PACK': 'refused-plan-gone',
  'SUBSCRIPTIONS.GRANT_OUT_OF_RANGE': 'refused-out-of-range',
  'SUBSCRIPTIONS.INVALID_AMOUNT': 'refused-invalid',
};

/**
 * Answers a refusal of the use cases in the reader's language (an alert under a button, a message
 * otherwise) instead of failing the update; what the handler had answered so far is dropped, except
 * leaving a question (so a refused answer never leaves the chat stuck in it).
 */
export function refusalsAnswered(handler: (ctx: FeatureContext) => Promise<void>, keys: Readonly<Record<string, string>> = {}) {
  return async (ctx: FeatureContext): Promise<void> => {
    try {
      await handler(ctx);
    } catch (error) {
      const key = error instanceof SubscriptionsError ? (keys[error.code] ?? REFUSAL_KEYS[error.code]) : undefined;
      if (!key) throw error;
      const left = ctx.has('leaveStep');
      ctx.actions.length = 0;
      if (left) ctx.leaveStep();
      if (ctx.callback) ctx.answerCallback(ctx.t(key), { alert: true });
      else ctx.reply(ctx.t(key));
    }
  };
}
