import type { LoggerService } from '@nestjs/common';
import type { Update } from 'grammy/types';
import type { IncomingUpdateJournal } from '../intake/incoming-update.journal.js';
import { describeBot, describeError, type HostedBot } from './hosted-bot.js';
import { secretTokenMatches } from './webhook-secret.js';

/**
 * How the host answered one webhook request; the controller turns it into an HTTP status. `unrecorded`:
 * the update could not be written down, so Telegram must send it again (a 5xx makes it).
 */
export type WebhookOutcome = 'processed' | 'still-processing' | 'duplicate' | 'ignored-malformed' | 'unauthorized' | 'unknown-bot' | 'unrecorded';

export interface WebhookIntakeOptions {
  /** Where the update is recorded before Telegram is told it arrived. */
  readonly journal: IncomingUpdateJournal;
  /** How long a request waits for its update before answering 200 anyway. */
  readonly answerTimeoutMs: number;
  readonly logger: LoggerService;
}

/**
 * Takes one webhook request for a hosted bot: `unknown-bot` when the bot is not hosted here in webhook
 * mode, `unauthorized` when the secret header is wrong or missing (nothing is processed),
 * `ignored-malformed` for a body that is not an update (logged once; answering 200 keeps Telegram from
 * redelivering it forever). Otherwise the update is recorded in the journal, handed to the bot's
 * dispatcher, and the answer waits for it up to `answerTimeoutMs`.
 */
export async function takeWebhookUpdate(
  hosted: HostedBot | undefined,
  secretToken: string | undefined,
  body: unknown,
  options: WebhookIntakeOptions,
): Promise<WebhookOutcome> {
  if (!hosted?.webhookSecret || hosted.stopping) return 'unknown-bot';
  if (!secretTokenMatches(hosted.webhookSecret, secretToken)) return 'unauthorized';
  const update = parseUpdate(body);
  if (typeof update === 'string') {
    options.logger.warn(`${describeBot(hosted.info)}: ignored a malformed webhook update (${update})`);
    return 'ignored-malformed';
  }
  let fresh: Update[];
  try {
    fresh = await options.journal.record(hosted.info.botId, [update]);
  } catch (error) {
    options.logger.warn(
      `${describeBot(hosted.info)}: could not record webhook update ${update.update_id}, Telegram will send it again (${describeError(error)})`,
    );
    return 'unrecorded';
  }
  if (fresh.length === 0) return 'duplicate';
  const [handled] = hosted.dispatcher.accept(fresh);
  const done = await settlesWithin(handled, options.answerTimeoutMs);
  return done ? 'processed' : 'still-processing';
}

/** The update in a webhook body, or why it is not one. */
function parseUpdate(body: unknown): Update | string {
  let value = body;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return 'body is not JSON';
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'body is not a JSON object';
  if (!Number.isSafeInteger((value as { update_id?: unknown }).update_id)) return 'no integer update_id';
  return value as Update;
}

/** True when `promise` settled within `ms`; the timer never outlives the call. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      expired,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
