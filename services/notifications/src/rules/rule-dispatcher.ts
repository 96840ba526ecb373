import { CommandHandler, runSql, type PostgresEventStore } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';
import {
  outboundMessageDecider,
  outboundStreamId,
  type OutboundMessageCommand,
  type OutboundMessageEvent,
  type OutboundMessageState,
} from '../outbound/outbound-message.decider.js';
import { DEFAULT_TEMPLATES } from '../templates/default-templates.js';
import { formatLocalTime, isLocalTime, type LocalTime } from '../templates/local-time.js';
import { compileTemplate, type CompiledTemplate } from '../templates/notification-template.js';
import { RULE_DEFINITIONS, TRANSACTIONAL_CATEGORIES, type RuleName } from './rule-catalogue.js';

/** One public event that a rule may turn into a message for one member. */
export interface RuleTrigger {
  readonly rule: RuleName;
  readonly botId: string;
  readonly telegramUserId: number;
  /** The public event's id: with the rule and the member, what makes the message unique. */
  readonly sourceEventId: string;
  readonly correlationId: string;
  /** The rule's variables besides the member's name; a moment is shown in the bot's time zone. */
  readonly variables: Readonly<Record<string, string | number | LocalTime>>;
  readonly now: Date;
}

/** What became of a trigger; recorded once per (member, rule, source event). */
export type RuleOutcome = 'requested' | 'rule_off' | 'muted' | 'unreachable' | 'duplicate';

/** A rule fired for a member this service has not heard of yet: retried until the users event arrives. */
export class RecipientNotKnownYetError extends Error {
  readonly code = 'NOTIFICATIONS.RECIPIENT_NOT_KNOWN';
  constructor(botId: string, telegramUserId: number) {
    super(`no recipient ${telegramUserId} of bot ${botId} yet`);
    this.name = 'RecipientNotKnownYetError';
  }
}

/** The recipient as a rule needs it (`RECIPIENT_FOR_RULES` selects it). */
export interface RecipientRow {
  first_name: string;
  language: string | null;
  status: string;
  blocked_bot: boolean;
  default_language: string | null;
  time_zone: string | null;
}

/**
 * Decides, inside a consumer's transaction, whether a rule sends a message and, when it does, requests
 * it through the outbound path (the `RequestMessageSend` command of send-message, so the gateway
 * delivers it like any other). A unique row per (member, rule, source event) and a request id derived
 * from them make a redelivered or replayed event send nothing new.
 */
export class RuleDispatcher {
  private readonly outbound: CommandHandler<OutboundMessageState, OutboundMessageCommand, OutboundMessageEvent>;

  constructor(store: PostgresEventStore) {
    this.outbound = new CommandHandler(store, outboundMessageDecider);
  }

  /**
   * `recipient`: the member's row as the caller just wrote it in this transaction (the users consumer's
   * registration returns `RECIPIENT_FOR_RULES`), so it is not read again.
   */
  async dispatch(em: EntityManager, trigger: RuleTrigger, known?: RecipientRow): Promise<RuleOutcome> {
    const { botId, telegramUserId } = trigger;
    const [recipient] = known
      ? [known]
      : await runSql<RecipientRow>(
          em,
          `SELECT ${RECIPIENT_FOR_RULES} FROM notifications.notification_recipients r WHERE r.bot_id = $1 AND r.telegram_user_id = $2`,
          [botId, telegramUserId],
        );
    if (!recipient) throw new RecipientNotKnownYetError(botId, telegramUserId);
    const [outcome] = await this.dispatchAll(em, [{ trigger, recipient }]);
    return outcome;
  }

  /**
   * Several triggers in order, each with its recipient's row as the caller just wrote it: each bot's rule
   * switch is read once, and the sends are claimed in one statement, so a run of registrations (the users
   * consumer's batch) costs a few statements, not two per member. Messages are then requested one by one.
   */
  async dispatchAll(em: EntityManager, items: readonly { trigger: RuleTrigger; recipient: RecipientRow }[]): Promise<RuleOutcome[]> {
    if (items.length === 0) return [];
    const switches = new Map<string, Promise<boolean>>();
    const outcomes: RuleOutcome[] = [];
    for (const { trigger, recipient } of items) {
      const key = `${trigger.botId}:${trigger.rule}`;
      if (!switches.has(key)) switches.set(key, isRuleOn(em, trigger.botId, trigger.rule));
      outcomes.push(await this.outcomeFor(em, trigger, recipient, await switches.get(key)!));
    }
    const requestIds = items.map(({ trigger }) => ruleRequestId(trigger));
    const claimed = await runSql<{ request_id: string }>(
      em,
      `INSERT INTO notifications.notification_rule_sends (bot_id, telegram_user_id, rule, source_event_id, request_id, outcome, decided_at)
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::timestamptz[])
       ON CONFLICT DO NOTHING
       RETURNING request_id`,
      [
        items.map(({ trigger }) => trigger.botId),
        items.map(({ trigger }) => trigger.telegramUserId),
        items.map(({ trigger }) => trigger.rule),
        items.map(({ trigger }) => trigger.sourceEventId),
        requestIds,
        outcomes,
        items.map(({ trigger }) => trigger.now),
      ],
    );
    const claimedIds = new Set(claimed.map((row) => row.request_id));
    for (let i = 0; i < items.length; i++) {
      if (!claimedIds.has(requestIds[i])) {
        outcomes[i] = 'duplicate';
        continue;
      }
      if (outcomes[i] === 'requested') await this.request(em, items[i].trigger, items[i].recipient, requestIds[i]);
    }
    return outcomes;
  }

  private async request(em: EntityManager, trigger: RuleTrigger, recipient: RecipientRow, requestId: string): Promise<void> {
    const { rule, botId, telegramUserId } = trigger;

    const template = await this.templateFor(em, rule, botId, [recipient.language, recipient.default_language, 'en']);
    await this.outbound.handle(
      outboundStreamId(requestId),
      {
        type: 'RequestMessageSend',
        requestId,
        botId,
        chatId: telegramUserId,
        text: template.format({ name: recipient.first_name, ...inTimeZone(trigger.variables, recipient.time_zone ?? 'UTC') }),
        buttons: [],
        disableNotification: false,
        purpose: `notifications:${rule}`,
        now: trigger.now.toISOString(),
      },
      {
        botId,
        correlationId: trigger.correlationId,
        causationId: trigger.sourceEventId,
        actor: { kind: 'service', id: 'notifications' },
        occurredAt: trigger.now,
      },
      { em },
    );
  }

  private async outcomeFor(em: EntityManager, trigger: RuleTrigger, recipient: RecipientRow, ruleOn: boolean): Promise<RuleOutcome> {
    if (!ruleOn) return 'rule_off';
    if (recipient.blocked_bot || recipient.status !== 'active') return 'unreachable';
    const { category } = RULE_DEFINITIONS[trigger.rule];
    if (TRANSACTIONAL_CATEGORIES.has(category)) return 'requested';
    const muted = await runSql(em, 'SELECT 1 FROM notifications.notification_mutes WHERE bot_id = $1 AND telegram_user_id = $2 AND category = $3', [
      trigger.botId,
      trigger.telegramUserId,
      category,
    ]);
    return muted.length > 0 ? 'muted' : 'requested';
  }

  /** The bot's template, else the platform's, for the first language that has one: member's, bot default, en. */
  private async templateFor(em: EntityManager, rule: RuleName, botId: string, preferred: readonly (string | null)[]): Promise<CompiledTemplate> {
    const languages = [...new Set(preferred.flatMap((language) => (language ? candidatesOf(language) : [])))];
    const rows = await runSql<{ language: string; source: string }>(
      em,
      'SELECT language, source FROM notifications.notification_templates WHERE bot_id = $1 AND rule = $2 AND language = ANY($3)',
      [botId, rule, languages],
    );
    for (const language of languages) {
      const own = rows.find((row) => row.language === language);
      const source = own?.source ?? DEFAULT_TEMPLATES[language as keyof typeof DEFAULT_TEMPLATES]?.[rule];
      if (source === undefined) continue;
      const check = compileTemplate(rule, language, source);
      if (check.ok) return check.template;
    }
    const fallback = compileTemplate(rule, 'en', DEFAULT_TEMPLATES.en[rule]);
    if (!fallback.ok) throw new Error(`the default ${rule} template does not compile: ${fallback.problems.join('; ')}`);
    return fallback.template;
  }
}

/**
 * A recipient row `r` as a rule reads it, the bot's default language included: usable in a SELECT and in
 * the RETURNING of a write to `notification_recipients` aliased `r`.
 */
export const RECIPIENT_FOR_RULES = `r.first_name, COALESCE(r.language_override, r.language_code) AS language, r.status, r.blocked_bot,
  (SELECT b.default_language FROM notifications.notification_bots b WHERE b.bot_id = r.bot_id) AS default_language,
  (SELECT b.time_zone FROM notifications.notification_bots b WHERE b.bot_id = r.bot_id) AS time_zone`;

/** Whether the bot has the rule on: its own switch, else the rule's default. */
export async function isRuleOn(em: EntityManager, botId: string, rule: RuleName): Promise<boolean> {
  const [switched] = await runSql<{ enabled: boolean }>(em, 'SELECT enabled FROM notifications.notification_rule_switches WHERE bot_id = $1 AND rule = $2', [
    botId,
    rule,
  ]);
  return switched?.enabled ?? RULE_DEFINITIONS[rule].onByDefault;
}

/** `pt-br` is tried as itself, then as `pt`. */
function candidatesOf(language: string): string[] {
  const lower = language.toLowerCase();
  const base = lower.split('-')[0];
  return base === lower ? [lower] : [lower, base];
}

/**
 * The request id of a rule's message: a UUID (version 5 layout) of the rule, the member and the source
 * event, so the same trigger always asks for the same message and the outbound stream refuses a second.
 */
export function ruleRequestId(trigger: Pick<RuleTrigger, 'rule' | 'botId' | 'telegramUserId' | 'sourceEventId'>): string {
  const hash = createHash('sha1').update(`notifications-rule:${trigger.rule}:${trigger.botId}:${trigger.telegramUserId}:${trigger.sourceEventId}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The variables with each moment written out in the bot's time zone. */
function inTimeZone(variables: RuleTrigger['variables'], timeZone: string): Record<string, string | number> {
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, isLocalTime(value) ? formatLocalTime(value, timeZone) : value]));
}
