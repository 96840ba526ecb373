import type { MessageEntity } from 'grammy/types';
import { TelegramErrors } from '../errors/telegram-api.error.js';
import { formatText } from '../formatting/formatted-text.js';
import type { SandboxStore } from '../state/sandbox-store.js';
import { userObject } from '../state/wire-objects.js';
import type { MethodArguments } from './method-arguments.js';

/** Telegram's limits, counted after entity parsing. */
export const MAX_MESSAGE_LENGTH = 4096;
export const MAX_CAPTION_LENGTH = 1024;

/** `text` + `parse_mode` + `entities` of sendMessage / editMessageText, validated. */
export function readMessageText(store: SandboxStore, args: MethodArguments): { text: string; entities?: MessageEntity[] } {
  const formatted = formatText({
    text: args.string('text'),
    parseMode: args.string('parse_mode'),
    entitiesJson: args.string('entities'),
    resolveUser: (id) => {
      const user = store.users.get(id);
      return user ? userObject(user) : undefined;
    },
  });
  if (formatted.text === '') throw TelegramErrors.messageTextEmpty();
  if (formatted.text.length > MAX_MESSAGE_LENGTH) throw TelegramErrors.messageTooLong();
  return { text: formatted.text, ...(formatted.entities.length > 0 ? { entities: formatted.entities } : {}) };
}

/** `caption` + `parse_mode` + `caption_entities` of media sends; an empty caption is simply absent. */
export function readCaption(args: MethodArguments): { caption?: string; caption_entities?: MessageEntity[] } {
  const formatted = formatText({
    text: args.string('caption'),
    parseMode: args.string('parse_mode'),
    entitiesJson: args.string('caption_entities'),
  });
  if (formatted.text === '') return {};
  if (formatted.text.length > MAX_CAPTION_LENGTH) throw TelegramErrors.captionTooLong();
  return {
    caption: formatted.text,
    ...(formatted.entities.length > 0 ? { caption_entities: formatted.entities } : {}),
  };
}
