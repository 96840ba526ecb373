import type { RpcClient } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { Logger } from '@nestjs/common';

/** Where a bot's receipts are reviewed: its admin chat and, in a forum, the topic. */
export interface AdminChat {
  readonly chatId: string;
  readonly threadId?: number;
}

/** The per-bot settings of the admin chat, in the users service (custom or built-in keys). */
export const ADMIN_CHAT_ID_SETTING = 'admin_chat_id';
export const ADMIN_TOPIC_ID_SETTING = 'admin_topic_id';

const CHAT_ID = /^-?[1-9][0-9]{0,18}$/;

/**
 * Reads the bot's `admin_chat_id` and `admin_topic_id` from the users service (`rpc.users.get-bot-config`),
 * the one place bot settings live; the notifications service's admin alerts read the same keys.
 */
export class AdminChatClient {
  private readonly logger = new Logger('AdminChat');

  constructor(private readonly rpc: RpcClient) {}

  /** The admin chat, or null when the bot has none set (or users cannot be asked now). */
  async of(botId: string): Promise<AdminChat | null> {
    let settings: readonly { key?: string; valueJson?: string }[];
    try {
      settings = (await this.rpc.call(RPC.users.getBotConfig, { botId })).settings ?? [];
    } catch (error) {
      this.logger.warn(`the admin chat of bot ${botId} could not be read: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
    const value = (key: string) => {
      const json = settings.find((setting) => setting.key === key)?.valueJson;
      if (json === undefined) return undefined;
      const parsed = json.replace(/^"|"$/g, '').trim();
      return CHAT_ID.test(parsed) ? parsed : undefined;
    };
    const chatId = value(ADMIN_CHAT_ID_SETTING);
    if (!chatId) return null;
    const topic = Number(value(ADMIN_TOPIC_ID_SETTING) ?? 0);
    return { chatId, ...(topic > 0 ? { threadId: topic } : {}) };
  }
}
