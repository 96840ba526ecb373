import type { RpcClient } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import type { OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'node:crypto';

/** Fixed namespace of the reminders' request ids (a UUID v5 namespace of this service's own). */
const REMINDER_NAMESPACE = Buffer.from('6d1f0c52a3e94b0f9a5a3c1e5b7d2f40', 'hex');

/**
 * The request id of one reminder: a name-based UUID (v5) of the reminder's identity, so every attempt to
 * send it (a retried timer, a commit lost after the send) asks notifications with the same id, and the
 * member gets it once.
 */
export function reminderRequestId(botId: string, telegramUserId: number, endsAt: string, daysBefore: number): string {
  const hash = createHash('sha1').update(REMINDER_NAMESPACE).update(`subscriptions:reminder:${botId}:${telegramUserId}:${endsAt}:${daysBefore}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** What a reminder needs of other services: the member's language (users) and the sending (notifications). */
export class ReminderDeliveryClient implements OnModuleDestroy {
  constructor(private readonly rpc: RpcClient) {}

  /** The language the member chose in the bot, else Telegram's; undefined for someone the bot does not know. */
  async memberLanguage(botId: string, telegramUserId: number): Promise<string | undefined> {
    const { member } = await this.rpc.call(RPC.users.getMember, { botId, telegramUserId: String(telegramUserId) });
    return member?.languageOverride ?? member?.telegramLanguageCode;
  }

  /**
   * Asks notifications to send `text` to the member's private chat; true when it was new to notifications.
   * Notifications may withhold it (false): the member muted `subscription`, or the bot switched on its
   * own reminder rule, which words the reminder from the same reminder_due event.
   */
  async send(request: { requestId: string; botId: string; telegramUserId: number; text: string }): Promise<boolean> {
    const reply = await this.rpc.call(RPC.notifications.sendMessage, {
      requestId: request.requestId,
      botId: request.botId,
      chatId: String(request.telegramUserId),
      text: request.text,
      purpose: 'subscriptions:end-reminder',
    });
    return reply.accepted ?? false;
  }

  async onModuleDestroy(): Promise<void> {
    await this.rpc.close();
  }
}
