import type { Chat, User } from 'grammy/types';

/** A bot hosted by the sandbox. Pass `token` to grammY together with the sandbox's `apiRoot`. */
export interface SandboxBot {
  readonly id: number;
  readonly token: string;
  readonly username: string;
  readonly firstName: string;
  /** The bot as a Telegram `User` object. */
  readonly user: User;
}

export interface CreateBotInput {
  /** `<digits>:<secret>`; generated when omitted. The digits become the bot's user id. */
  token?: string;
  /** Without the @; should end in "bot" like real bot usernames. */
  username: string;
  /** Defaults to the username. */
  firstName?: string;
  canJoinGroups?: boolean;
  /** Privacy mode off: the bot sees every group message, not only commands, replies and mentions. */
  canReadAllGroupMessages?: boolean;
}

/** A simulated Telegram user. */
export interface SandboxUser {
  readonly id: number;
  readonly firstName: string;
  readonly lastName?: string;
  readonly username?: string;
  readonly languageCode?: string;
  /** The user as a Telegram `User` object. */
  readonly user: User;
}

export interface CreateUserInput {
  firstName: string;
  lastName?: string;
  username?: string;
  /** IETF tag the user's client reports (`language_code`), e.g. "en" or "ru". */
  languageCode?: string;
  isPremium?: boolean;
  /** Stars the user can spend; omitted means unlimited. Payments and renewals above it fail. */
  starBalance?: number;
  /** Fixed user id; generated when omitted. */
  id?: number;
}

/** A simulated group or supergroup. */
export interface SandboxGroup {
  readonly id: number;
  readonly title: string;
  readonly type: 'group' | 'supergroup';
  /** The group as a Telegram `Chat` object. */
  readonly chat: Chat;
}

/** A bot's role when it joins a group. Administrators see every message (no privacy mode). */
export type GroupBotStatus = 'member' | 'administrator';

export interface CreateGroupInput {
  title: string;
  /** Defaults to "supergroup", what most groups are today. */
  type?: 'group' | 'supergroup';
  /** Public @username (supergroups only); lets bots use "@name" as chat_id. */
  username?: string;
  /** Human members; the first one is the group's creator. */
  members?: readonly SandboxUser[];
  /** Bots in the group, as plain members or administrators. */
  bots?: ReadonlyArray<SandboxBot | { bot: SandboxBot; status: GroupBotStatus }>;
}

/** How far to move the simulated clock. */
export interface TimeStep {
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
}
