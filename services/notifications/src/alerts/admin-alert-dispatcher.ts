import { CommandHandler, runSql, type PostgresEventStore } from '@botplatform/event-store';
import type { I18n } from '@grammyjs/i18n';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';
import { createNotificationsI18n } from '../i18n/notifications-i18n.js';
import {
  outboundMessageDecider,
  outboundStreamId,
  type OutboundMessageCommand,
  type OutboundMessageEvent,
  type OutboundMessageState,
} from '../outbound/outbound-message.decider.js';

/** What an admin is alerted of; each names its text (`alert-<kind>` in the .ftl files). */
export type AdminAlertKind = 'payment-completed' | 'payment-refunded' | 'campaign-member';

export interface AdminAlertTrigger {
  readonly alert: AdminAlertKind;
  readonly botId: string;
  /** The public event's id: with the bot and the alert, what makes the alert unique. */
  readonly sourceEventId: string;
  readonly correlationId: string;
  /** The member it is about (named in the text by their first name when the service knows them). */
  readonly telegramUserId: number;
  readonly variables: Readonly<Record<string, string | number>>;
  readonly now: Date;
}

/** `requested`: sent to the admin chat; `no_admin_chat`: the bot has none set; `duplicate`: decided before. */
export type AdminAlertOutcome = 'requested' | 'no_admin_chat' | 'duplicate';

/**
 * Alerts a bot's admins, in their chat (and forum topic) from the bot's settings `admin_chat_id` and
 * `admin_topic_id`, in the bot's default language (English unless it is Russian). Inside a consumer's
 * transaction: a unique row per (bot, alert, source event) and a request id derived from them make a
 * redelivered or replayed event alert nothing new; the message goes through the outbound path.
 */
export class AdminAlertDispatcher {
  private readonly outbound: CommandHandler<OutboundMessageState, OutboundMessageCommand, OutboundMessageEvent>;

  constructor(
    store: PostgresEventStore,
    private readonly i18n: I18n = createNotificationsI18n(),
  ) {
    this.outbound = new CommandHandler(store, outboundMessageDecider);
  }

  async alert(em: EntityManager, trigger: AdminAlertTrigger): Promise<AdminAlertOutcome> {
    const [bot] = await runSql<{ admin_chat_id: string | null; admin_topic_id: number | null; default_language: string | null }>(
      em,
      `SELECT a.admin_chat_id::text, a.admin_topic_id, b.default_language
         FROM (SELECT $1::uuid AS bot_id) k
         LEFT JOIN notifications.notification_admin_chats a ON a.bot_id = k.bot_id
         LEFT JOIN notifications.notification_bots b ON b.bot_id = k.bot_id`,
      [trigger.botId],
    );
    const chatId = bot?.admin_chat_id ? Number(bot.admin_chat_id) : null;
    const requestId = chatId ? adminAlertRequestId(trigger) : null;
    const [claimed] = await runSql<{ outcome: string }>(
      em,
      `INSERT INTO notifications.notification_admin_alerts (bot_id, alert, source_event_id, request_id, outcome, decided_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING
       RETURNING outcome`,
      [trigger.botId, trigger.alert, trigger.sourceEventId, requestId, chatId ? 'requested' : 'no_admin_chat', trigger.now],
    );
    if (!claimed) return 'duplicate';
    if (!chatId || !requestId) return 'no_admin_chat';

    const [member] = await runSql<{ first_name: string }>(
      em,
      'SELECT first_name FROM notifications.notification_recipients WHERE bot_id = $1 AND telegram_user_id = $2',
      [trigger.botId, trigger.telegramUserId],
    );
    const language = bot?.default_language?.toLowerCase().split('-')[0] === 'ru' ? 'ru' : 'en';
    const text = this.i18n.t(language, `alert-${trigger.alert}`, {
      member: member ? `${member.first_name} (${trigger.telegramUserId})` : String(trigger.telegramUserId),
      ...trigger.variables,
    });
    await this.outbound.handle(
      outboundStreamId(requestId),
      {
        type: 'RequestMessageSend',
        requestId,
        botId: trigger.botId,
        chatId,
        ...(bot?.admin_topic_id ? { messageThreadId: bot.admin_topic_id } : {}),
        text,
        buttons: [],
        disableNotification: false,
        purpose: `notifications:admin-alert:${trigger.alert}`,
        now: trigger.now.toISOString(),
      },
      {
        botId: trigger.botId,
        correlationId: trigger.correlationId,
        causationId: trigger.sourceEventId,
        actor: { kind: 'service', id: 'notifications' },
        occurredAt: trigger.now,
      },
      { em },
    );
    return 'requested';
  }
}

/** The request id of an alert (UUID, version 5 layout) of the bot, the alert and the source event. */
export function adminAlertRequestId(trigger: Pick<AdminAlertTrigger, 'alert' | 'botId' | 'sourceEventId'>): string {
  const hash = createHash('sha1').update(`notifications-alert:${trigger.alert}:${trigger.botId}:${trigger.sourceEventId}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
