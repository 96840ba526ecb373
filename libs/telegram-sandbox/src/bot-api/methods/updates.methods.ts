import { badRequest, TelegramErrors } from '../../errors/telegram-api.error.js';
import type { BotRecord } from '../../state/sandbox-records.js';
import { getMeUser } from '../../state/wire-objects.js';
import { DescribedResult, type MethodGroup } from '../bot-api-method.js';
import type { MethodArguments } from '../method-arguments.js';

/** The longest long poll the server honours. */
const MAX_POLL_TIMEOUT_SECONDS = 50;

/** getMe, getUpdates and webhook management. */
export const updatesMethods: MethodGroup = (core) => {
  const removeWebhook = (bot: BotRecord, dropPending: boolean): DescribedResult => {
    if (dropPending) bot.updates.clear();
    return core.webhooks.remove(bot) ? new DescribedResult(true, 'Webhook was deleted') : new DescribedResult(true, 'Webhook is already deleted');
  };

  return {
    getMe: ({ bot }) => getMeUser(bot),

    getUpdates: ({ bot, args, signal }) => {
      if (core.webhooks.isActive(bot)) throw TelegramErrors.webhookActive();
      bot.updates.setAllowedUpdates(readAllowedUpdates(args));
      return bot.updates.take({
        offset: args.int('offset', 0),
        limit: args.int('limit', 100, 1, 100),
        timeoutMs: args.int('timeout', 0, 0, MAX_POLL_TIMEOUT_SECONDS) * 1000,
        signal,
      });
    },

    setWebhook: ({ bot, args }) => {
      const url = args.string('url').trim();
      // An empty url means "delete", exactly like deleteWebhook.
      if (url === '') return removeWebhook(bot, args.bool('drop_pending_updates'));
      if (!isValidWebhookUrl(url)) throw badRequest('invalid webhook URL specified');
      const secretToken = args.string('secret_token');
      if (secretToken.length > 256) throw badRequest('secret token is too long');
      if (!/^[A-Za-z0-9_-]*$/.test(secretToken)) throw badRequest('secret token contains unallowed characters');
      const maxConnections = args.int('max_connections', 40, 1, 100);

      const current = core.webhooks.config(bot);
      const allowed = readAllowedUpdates(args);
      const unchanged =
        current?.url === url && (current.secretToken ?? '') === secretToken && current.maxConnections === maxConnections && !args.bool('drop_pending_updates');
      bot.updates.setAllowedUpdates(allowed);
      if (unchanged) return new DescribedResult(true, 'Webhook is already set');

      if (args.bool('drop_pending_updates')) bot.updates.clear();
      bot.updates.terminatePoll(TelegramErrors.terminatedBySetWebhook());
      core.webhooks.set(bot, { url, secretToken: secretToken || undefined, maxConnections });
      return new DescribedResult(true, 'Webhook was set');
    },

    deleteWebhook: ({ bot, args }) => removeWebhook(bot, args.bool('drop_pending_updates')),

    getWebhookInfo: ({ bot }) => core.webhooks.info(bot),

    // A local server has nothing to close or log out from; both succeed like on a fresh instance.
    close: () => true,
    logOut: () => true,
  };
};

/**
 * The sandbox runs like `telegram-bot-api --local`: plain http and any port are fine, because
 * bots under test listen on localhost.
 */
function isValidWebhookUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}

function readAllowedUpdates(args: MethodArguments): string[] | undefined {
  const value = args.json('allowed_updates', 'allowed_updates');
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return undefined;
  return value.filter((item): item is string => typeof item === 'string');
}
