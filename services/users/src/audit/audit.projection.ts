import { runSql, type InlineProjection, type RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';

// Secrets never reach the audit log, whatever a future event carries.
const SECRET_KEY = /token|secret|cipher|hash/i;

// Stream prefixes whose action word differs from the prefix.
const ACTION_NOUNS: Readonly<Record<string, string>> = { membership: 'member' };

/**
 * "Who did what to whom, when": every stored event whose actor is an admin, whatever its aggregate, so a
 * new admin action is audited by giving its event the admin as actor, with no audit code of its own.
 */
export const auditProjection: InlineProjection = {
  name: 'users.audit',
  async apply(events, em: EntityManager) {
    for (const event of events) {
      if (event.metadata.actor.kind !== 'admin') continue;
      const entry = auditEntryOf(event);
      // Raw SQL runs on the default search_path, so the table carries the service's schema.
      await runSql(
        em,
        `INSERT INTO users.audit_entries (event_id, bot_id, admin, action, target, details, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) ON CONFLICT (event_id) DO NOTHING`,
        [entry.eventId, entry.botId, entry.admin, entry.action, entry.target, JSON.stringify(entry.details), entry.occurredAt],
      );
    }
  },
};

/** The audit row of one admin event (exported for tests of the naming rules). */
export function auditEntryOf(event: RecordedEvent): {
  eventId: string;
  botId: string;
  admin: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  occurredAt: Date;
} {
  const data = event.data as Record<string, unknown>;
  return {
    eventId: event.metadata.eventId,
    botId: event.metadata.botId,
    admin: event.metadata.actor.id,
    action: auditActionOf(event.metadata.streamId, event.type),
    target: auditTargetOf(data),
    details: withoutSecrets(data) as Record<string, unknown>,
    occurredAt: event.metadata.occurredAt,
  };
}

/**
 * `<aggregate>.<event type in kebab case without the aggregate word>`: `bot-…` + BotFeatureFlagChanged →
 * `bot.feature-flag-changed`, `membership-…` + MemberBlocked → `member.blocked`.
 */
export function auditActionOf(streamId: string, eventType: string): string {
  const dash = streamId.indexOf('-');
  const prefix = dash > 0 ? streamId.slice(0, dash) : streamId;
  const noun = ACTION_NOUNS[prefix] ?? prefix;
  const word = noun.charAt(0).toUpperCase() + noun.slice(1);
  const rest = eventType.startsWith(word) && /^[A-Z]/.test(eventType.slice(word.length)) ? eventType.slice(word.length) : eventType;
  return `${noun}.${rest
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()}`;
}

/** The member or thing acted on. */
export function auditTargetOf(data: Record<string, unknown>): string {
  if (typeof data.telegramUserId === 'number' || typeof data.telegramUserId === 'string') return `telegram:${data.telegramUserId}`;
  if (typeof data.flag === 'string') return `flag:${data.flag}`;
  if (typeof data.key === 'string') return `setting:${data.key}`;
  return 'bot';
}

function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => !SECRET_KEY.test(key))
      .map(([key, inner]) => [key, withoutSecrets(inner)]),
  );
}
