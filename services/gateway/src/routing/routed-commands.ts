import type { RoutedCommand, RoutingTable } from '@botplatform/bot-kit';
import type { AudienceJson } from '@botplatform/contracts';

/** Whose commands to list: a member's role as the menus and /help see it. */
export type CommandViewer = 'everyone' | 'admin' | 'owner';

const SEES: Record<CommandViewer, ReadonlySet<AudienceJson>> = {
  everyone: new Set(['AUDIENCE_EVERYONE']),
  admin: new Set(['AUDIENCE_EVERYONE', 'AUDIENCE_ADMINS']),
  owner: new Set(['AUDIENCE_EVERYONE', 'AUDIENCE_ADMINS', 'AUDIENCE_OWNER']),
};

/** The routed commands a viewer may see in a bot with these flags (a command under a flag that is off is hidden). */
export function visibleCommands(table: RoutingTable, flags: Readonly<Record<string, boolean>>, viewer: CommandViewer): RoutedCommand[] {
  return table.commands().filter((command) => SEES[viewer].has(command.audience) && (!command.featureFlag || flags[command.featureFlag] === true));
}

/** A command's description in `language`, else English (the declaration's required fallback). */
export function descriptionOf(command: RoutedCommand, language: string): string {
  return command.descriptions[language] ?? command.descriptions.en ?? command.command;
}

/** The viewer a member's role makes them. */
export function viewerOf(role: string | undefined): CommandViewer {
  if (role === 'MEMBER_ROLE_OWNER') return 'owner';
  if (role === 'MEMBER_ROLE_ADMIN') return 'admin';
  return 'everyone';
}
