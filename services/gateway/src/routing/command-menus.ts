import type { RoutingTable } from '@botplatform/bot-kit';
import type { ListMembersReplyJson, ListMembersRequestJson } from '@botplatform/contracts';
import type { Logger } from '@nestjs/common';
import type { Api } from 'grammy';
import type { BotCommand } from 'grammy/types';
import type { HostedBotInfo } from '../bot/bot-context.js';
import { DEFAULT_LOCALE, SUPPORTED_LOCALES, type SupportedLocale } from '../i18n/locale-negotiation.js';
import type { RoutingConfig } from './bot-config.cache.js';
import { descriptionOf, visibleCommands, type CommandViewer } from './routed-commands.js';

/** Telegram shows at most 100 commands per scope and language. */
const MAX_COMMANDS = 100;
/** Admins given their own menu per bot; beyond that they use the commands without seeing them listed. */
export const MAX_ADMIN_MENUS = 25;

export interface CommandMenuDependencies {
  readonly table: () => RoutingTable;
  readonly config: (botId: string) => Promise<RoutingConfig>;
  /** The gateway's own commands in a language (start, help, ...), listed first. */
  readonly gatewayCommands: (locale: SupportedLocale) => BotCommand[];
  /** The bot's admins and owner (`rpc.users.list-members`). */
  readonly listMembers: (request: ListMembersRequestJson) => Promise<ListMembersReplyJson>;
  readonly logger: Pick<Logger, 'warn'>;
}

/**
 * Sets a bot's command menus from the routing table: the default scope per supported language lists
 * the gateway's commands and every routed command for everyone whose flag is on; each admin's and the
 * owner's private chat (a `chat` scope) adds the commands of their audience, when there are any. Called
 * when a bot starts and whenever the table or the bot's flags change.
 *
 * Not followed: a member becoming or ceasing to be an admin (their chat menu changes with the next table
 * or flag change, or restart), and admins beyond {@link MAX_ADMIN_MENUS}.
 */
export class CommandMenus {
  constructor(private readonly deps: CommandMenuDependencies) {}

  async register(api: Api, bot: HostedBotInfo): Promise<void> {
    const table = this.deps.table();
    // Without the bot's flags (the users service away), the menus list what needs no flag; the next
    // flag or table change sets them again.
    const flags = await this.deps.config(bot.botId).then(
      (config) => config.flags,
      (error: unknown) => {
        this.deps.logger.warn(`bot ${bot.botId}: no flags for its command menus, listing only the commands without one (${String(error)})`);
        return {};
      },
    );
    const menu = (viewer: CommandViewer, locale: SupportedLocale): BotCommand[] =>
      [
        ...this.deps.gatewayCommands(locale),
        ...visibleCommands(table, flags, viewer).map((command) => ({ command: command.command, description: descriptionOf(command, locale) })),
      ].slice(0, MAX_COMMANDS);
    for (const locale of SUPPORTED_LOCALES) {
      await api.setMyCommands(menu('everyone', locale), locale === DEFAULT_LOCALE ? {} : { language_code: locale });
    }
    const extra = (viewer: CommandViewer) => visibleCommands(table, flags, viewer).length > visibleCommands(table, flags, 'everyone').length;
    if (!extra('admin') && !extra('owner')) return;
    for (const { chatId, viewer } of await this.adminChats(bot.botId)) {
      for (const locale of SUPPORTED_LOCALES) {
        await api.setMyCommands(menu(viewer, locale), {
          scope: { type: 'chat', chat_id: chatId },
          ...(locale === DEFAULT_LOCALE ? {} : { language_code: locale }),
        });
      }
    }
  }

  private async adminChats(botId: string): Promise<{ chatId: number; viewer: CommandViewer }[]> {
    const chats: { chatId: number; viewer: CommandViewer }[] = [];
    for (const [role, viewer] of [
      ['MEMBER_ROLE_OWNER', 'owner'],
      ['MEMBER_ROLE_ADMIN', 'admin'],
    ] as const) {
      try {
        const { members = [] } = await this.deps.listMembers({ botId, role, status: 'MEMBER_STATUS_ACTIVE', limit: MAX_ADMIN_MENUS });
        for (const member of members) if (member.telegramUserId) chats.push({ chatId: Number(member.telegramUserId), viewer });
      } catch (error) {
        this.deps.logger.warn(`bot ${botId}: could not list its ${viewer}s for their command menus (${String(error)})`);
      }
    }
    return chats.slice(0, MAX_ADMIN_MENUS + 1);
  }
}
