import type { AcceptedGiftTypes, Chat, ChatFullInfo, ChatMember, User, UserFromGetMe } from 'grammy/types';
import type { BotRecord, GroupMemberStatus, GroupRecord, UserRecord } from './sandbox-records.js';

/** Converts sandbox records into the exact JSON objects the Bot API sends. */

export function botUser(bot: BotRecord): User {
  return { id: bot.id, is_bot: true, first_name: bot.firstName, username: bot.username };
}

export function getMeUser(bot: BotRecord): UserFromGetMe {
  return {
    ...botUser(bot),
    is_bot: true,
    username: bot.username,
    can_join_groups: bot.canJoinGroups,
    can_read_all_group_messages: bot.canReadAllGroupMessages,
    supports_inline_queries: bot.supportsInlineQueries,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
}

export function userObject(user: UserRecord): User {
  return {
    id: user.id,
    is_bot: false,
    first_name: user.firstName,
    ...(user.lastName ? { last_name: user.lastName } : {}),
    ...(user.username ? { username: user.username } : {}),
    ...(user.languageCode ? { language_code: user.languageCode } : {}),
    ...(user.isPremium ? { is_premium: true as const } : {}),
  };
}

export function privateChat(user: UserRecord): Chat.PrivateChat {
  return {
    id: user.id,
    type: 'private',
    first_name: user.firstName,
    ...(user.lastName ? { last_name: user.lastName } : {}),
    ...(user.username ? { username: user.username } : {}),
  };
}

export function groupChat(group: GroupRecord): Chat.GroupChat | Chat.SupergroupChat {
  return group.type === 'supergroup'
    ? { id: group.id, type: 'supergroup', title: group.title, ...(group.username ? { username: group.username } : {}) }
    : { id: group.id, type: 'group', title: group.title };
}

const ACCEPTED_GIFTS: AcceptedGiftTypes = {
  unlimited_gifts: true,
  limited_gifts: true,
  unique_gifts: true,
  premium_subscription: true,
  gifts_from_channels: true,
};

export function privateChatFullInfo(user: UserRecord): ChatFullInfo {
  return {
    ...privateChat(user),
    accent_color_id: user.id % 7,
    max_reaction_count: 11,
    accepted_gift_types: ACCEPTED_GIFTS,
  } as ChatFullInfo;
}

export function groupChatFullInfo(group: GroupRecord): ChatFullInfo {
  return {
    ...groupChat(group),
    accent_color_id: Math.abs(group.id) % 7,
    max_reaction_count: 11,
    accepted_gift_types: ACCEPTED_GIFTS,
    permissions: {
      can_send_messages: true,
      can_send_audios: true,
      can_send_documents: true,
      can_send_photos: true,
      can_send_videos: true,
      can_send_video_notes: true,
      can_send_voice_notes: true,
      can_send_polls: true,
      can_send_other_messages: true,
      can_add_web_page_previews: true,
      can_change_info: false,
      can_invite_users: true,
      can_pin_messages: false,
      can_manage_topics: false,
    },
  } as ChatFullInfo;
}

/** A chat member object for the given status, with the administrator rights a bot admin gets by default. */
export function chatMember(user: User, status: GroupMemberStatus | 'left' | 'kicked'): ChatMember {
  switch (status) {
    case 'creator':
      return { status, user, is_anonymous: false };
    case 'administrator':
      return {
        status,
        user,
        can_be_edited: false,
        is_anonymous: false,
        can_manage_chat: true,
        can_delete_messages: true,
        can_manage_video_chats: true,
        can_restrict_members: true,
        can_promote_members: false,
        can_change_info: true,
        can_invite_users: true,
        can_post_stories: false,
        can_edit_stories: false,
        can_delete_stories: false,
        can_pin_messages: true,
        can_send_welcome_messages: false,
      };
    case 'member':
      return { status, user };
    case 'kicked':
      return { status, user, until_date: 0 };
    case 'left':
      return { status, user };
  }
}

/**
 * A deep copy of a Bot API object (plain objects, arrays, strings, numbers, booleans: what JSON carries),
 * so a message handed out or kept in a timeline does not change when the stored one is edited.
 * `structuredClone` does the same through its serializer at ~9× the cost, and the sandbox copies every
 * message three or four times on its way (stored, timeline, API response, waiter).
 */
export function copyWireObject<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyWireObject) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = copyWireObject((value as Record<string, unknown>)[key]);
  return copy as T;
}
