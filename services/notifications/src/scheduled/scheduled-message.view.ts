import type { ScheduledAudienceJson, ScheduledMessageViewJson } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ScheduledAudience } from './scheduled-message.decider.js';

interface ScheduledMessageRow {
  scheduled_message_id: string;
  bot_id: string;
  text: string;
  parse_mode: string | null;
  audience: ScheduledAudience;
  send_at: Date;
  status: string;
  scheduled_by: string;
  recipients: number | null;
  sent_at: Date | null;
  cancelled_at: Date | null;
}

/** A bot's scheduled messages from the read model, soonest first (one, when `id` is given). */
export async function scheduledMessageViews(
  em: EntityManager,
  botId: string,
  filter: { readonly id?: string; readonly status?: string } = {},
): Promise<ScheduledMessageViewJson[]> {
  const rows = await runSql<ScheduledMessageRow>(
    em,
    `SELECT * FROM notifications.notification_scheduled_messages
      WHERE bot_id = $1 AND ($2::uuid IS NULL OR scheduled_message_id = $2) AND ($3::text IS NULL OR status = $3)
      ORDER BY send_at, scheduled_message_id`,
    [botId, filter.id ?? null, filter.status ?? null],
  );
  return rows.map((row) => ({
    scheduledMessageId: row.scheduled_message_id,
    botId: row.bot_id,
    text: row.text,
    ...(row.parse_mode ? { parseMode: row.parse_mode } : {}),
    audience: audienceJson(row.audience),
    sendAt: new Date(row.send_at).toISOString(),
    status: row.status,
    scheduledBy: row.scheduled_by,
    ...(row.recipients !== null ? { recipients: row.recipients } : {}),
    ...(row.sent_at ? { sentAt: new Date(row.sent_at).toISOString() } : {}),
    ...(row.cancelled_at ? { cancelledAt: new Date(row.cancelled_at).toISOString() } : {}),
  }));
}

export function audienceJson(audience: ScheduledAudience): ScheduledAudienceJson {
  if (audience.kind === 'member') return { telegramUserId: String(audience.telegramUserId) };
  return { members: { ...(audience.language ? { language: audience.language } : {}), ...(audience.plan ? { plan: audience.plan } : {}) } };
}
