import { rpcErrorDetailsOf, timestampDate } from '@botplatform/contracts';
import type { Logger } from '@nestjs/common';
import { GrammyError, type BotError } from 'grammy';
import type { BotContext } from '../bot/bot-context.js';
import { gatewayI18n, localeOf } from '../i18n/gateway-i18n.js';
import type { UsersClient } from '../users/users.client.js';

/** A localized text: its Fluent key and variables. */
export interface ErrorNotice {
  readonly key: string;
  readonly variables: Readonly<Record<string, string>>;
}

/**
 * What to tell the user about an error: typed errors with a code users can act on get their own text;
 * everything else is "something went wrong" with the first 8 characters of the correlation id, which
 * support can find in the logs.
 */
export function errorNoticeOf(error: unknown, correlationId: string): ErrorNotice {
  switch (codeOf(error)) {
    case 'USERS.QUOTA_EXCEEDED': {
      // The contract's typed details (QuotaExceededDetails); the message is for people and logs.
      const details = rpcErrorDetailsOf(error as { code?: unknown; details?: unknown }, 'USERS.QUOTA_EXCEEDED');
      const resetsAt = details?.resetsAt ? timestampDate(details.resetsAt) : undefined;
      return resetsAt && !Number.isNaN(resetsAt.getTime())
        ? { key: 'error-quota-exceeded', variables: { time: `${resetsAt.toISOString().slice(11, 16)} UTC` } }
        : { key: 'error-quota-exceeded-no-time', variables: {} };
    }
    case 'USERS.MEMBER_BLOCKED':
      return { key: 'error-member-blocked', variables: {} };
    case 'USERS.NOT_AN_ADMIN':
      return { key: 'error-not-an-admin', variables: {} };
    // The admin menu's refusals: the users service decides, the admin learns why in their language.
    case 'USERS.OWNER_ONLY':
      return { key: 'error-owner-only', variables: {} };
    case 'USERS.CANNOT_BLOCK_ADMIN':
    case 'USERS.CANNOT_BLOCK_SELF':
      return { key: 'error-cannot-block', variables: {} };
    case 'USERS.NOT_A_MEMBER':
      return { key: 'error-not-a-member', variables: {} };
    case 'USERS.INVALID_SETTING':
    case 'USERS.SETTING_TYPE_MISMATCH':
    case 'USERS.INVALID_TIMEZONE':
    case 'USERS.INVALID_FEATURE_FLAG':
      return { key: 'error-invalid-setting', variables: {} };
    case 'USERS.REASON_REQUIRED':
    case 'VALIDATION.FAILED':
      return { key: 'error-validation-failed', variables: {} };
    default:
      return { key: 'error-generic', variables: { reference: correlationId.slice(0, 8) } };
  }
}

/**
 * True for Telegram's 403 in a private chat: the user blocked the bot or deleted their account; nothing
 * can reach them, and the membership should say so.
 */
export function isBlockedByUser(error: unknown, ctx: Pick<BotContext, 'chat'>): boolean {
  return error instanceof GrammyError && error.error_code === 403 && ctx.chat?.type === 'private';
}

export interface ErrorBoundaryDependencies {
  readonly users: UsersClient;
  readonly logger: Logger;
}

/**
 * The `bot.catch` of every hosted bot: logs the failure with the bot, correlation and update ids, then
 * answers the user in their language. It never throws, so one bad update cannot stop a bot.
 */
export function createErrorBoundaryHandler({ users, logger }: ErrorBoundaryDependencies): (error: BotError<BotContext>) => Promise<void> {
  return async (botError) => {
    const ctx = botError.ctx;
    const cause = botError.error;
    const botId = ctx.tenant?.botId ?? 'unknown';
    const correlationId = ctx.correlationId ?? 'unknown';
    const redact = redactor(ctx.api.token);
    try {
      logger.error(
        `update ${ctx.update.update_id} of bot ${botId} failed (correlation ${correlationId}): ${redact(describe(cause))}`,
        cause instanceof Error && cause.stack ? redact(cause.stack) : undefined,
      );
      if (isBlockedByUser(cause, ctx)) {
        await recordBlocked(users, logger, ctx);
        return;
      }
      await answer(ctx, errorNoticeOf(cause, correlationId));
    } catch (failure) {
      if (isBlockedByUser(failure, ctx)) {
        await recordBlocked(users, logger, ctx);
        return;
      }
      logger.warn(
        `could not answer update ${ctx.update.update_id} of bot ${botId} after an error (correlation ${correlationId}): ${redact(describe(failure))}`,
      );
    }
  };
}

async function answer(ctx: BotContext, notice: ErrorNotice): Promise<void> {
  const text = gatewayI18n().t(localeOf(ctx), notice.key, notice.variables);
  if (ctx.callbackQuery) {
    // The query may have been answered before the failure; the chat message below still explains.
    await ctx.answerCallbackQuery().catch(() => undefined);
  }
  if (ctx.chat) await ctx.reply(text);
}

async function recordBlocked(users: UsersClient, logger: Logger, ctx: BotContext): Promise<void> {
  if (!ctx.from || !ctx.tenant) return;
  try {
    await users.recordBotBlocked({ botId: ctx.tenant.botId, telegramUserId: String(ctx.from.id), blocked: true });
  } catch (error) {
    logger.warn(`could not record that user ${ctx.from.id} blocked bot ${ctx.tenant.botId} (correlation ${ctx.correlationId}): ${describe(error)}`);
  }
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** A bot token must never reach the logs, not even inside a URL of a network error. */
function redactor(token: string | undefined): (text: string) => string {
  return (text) => {
    const withoutToken = token ? text.split(token).join('<token>') : text;
    return withoutToken.replace(/\d{3,}:[A-Za-z0-9_-]{20,}/g, '<token>');
  };
}
