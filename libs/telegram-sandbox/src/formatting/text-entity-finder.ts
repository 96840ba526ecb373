import type { MessageEntity } from 'grammy/types';

/**
 * Entities Telegram detects by itself in any message text (what users type and what bots send):
 * commands, mentions, hashtags, cashtags, e-mails and links. grammY's `bot.command()` relies on
 * the `bot_command` entity, so user messages must carry it exactly as Telegram would.
 */
const DETECTORS: ReadonlyArray<{ type: MessageEntity['type']; pattern: RegExp; marker: string }> = [
  { type: 'bot_command', marker: '/', pattern: /(?<![\p{L}\p{N}_/@])\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z][A-Za-z0-9_]{2,31})?(?![\p{L}\p{N}_/@<>])/gu },
  { type: 'email', marker: '@', pattern: /(?<![\p{L}\p{N}_.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![\p{L}\p{N}_])/gu },
  { type: 'url', marker: ':', pattern: /(?<![\p{L}\p{N}_@])(?:https?:\/\/|tg:\/\/)[^\s<>"]+/giu },
  {
    type: 'url',
    marker: '.',
    pattern:
      /(?<![\p{L}\p{N}_@/.-])(?:[A-Za-z0-9-]+\.)+(?:com|org|net|io|me|ru|dev|app|info|co|uk|de|fr|ai|xyz|tech|site|online|store|ly|gg|tv)(?:\/[^\s<>"]*)?(?![\p{L}\p{N}_])/giu,
  },
  { type: 'mention', marker: '@', pattern: /(?<![\p{L}\p{N}_@])@[A-Za-z0-9_]{3,32}(?![\p{L}\p{N}_@])/gu },
  { type: 'hashtag', marker: '#', pattern: /(?<![\p{L}\p{N}_#])#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]{0,255}/gu },
  { type: 'cashtag', marker: '$', pattern: /(?<![\p{L}\p{N}_$])\$[A-Z]{3,8}(?![\p{L}\p{N}_])/gu },
];

/** Entity types that hide their content from detection (a URL inside `code` stays plain code). */
const OPAQUE_TYPES = new Set<MessageEntity['type']>(['code', 'pre', 'text_link', 'text_mention', 'custom_emoji']);

/** Types Telegram always recomputes itself, ignoring what a bot passes in `entities`. */
export const DETECTED_TYPES: ReadonlySet<string> = new Set([
  'bot_command',
  'email',
  'url',
  'mention',
  'hashtag',
  'cashtag',
  'phone_number',
  'bank_card_number',
]);

export function findTextEntities(text: string, existing: readonly MessageEntity[]): MessageEntity[] {
  const opaque = existing.filter((entity) => OPAQUE_TYPES.has(entity.type));
  const found: MessageEntity[] = [];
  for (const { type, pattern, marker } of DETECTORS) {
    // Every match contains its marker; most texts lack most markers, and the Unicode patterns are costly.
    if (!text.includes(marker)) continue;
    for (const match of text.matchAll(pattern)) {
      let value = match[0];
      if (type === 'url') value = value.replace(/[.,;:!?)\]'"]+$/u, '');
      const offset = match.index;
      const length = value.length;
      if (length === 0) continue;
      const overlaps = (entity: MessageEntity): boolean => offset < entity.offset + entity.length && entity.offset < offset + length;
      if (opaque.some(overlaps) || found.some(overlaps)) continue;
      found.push({ type, offset, length } as MessageEntity);
    }
  }
  return found;
}

/** Telegram orders entities by offset, longer first when they start together. */
export function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  return entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
}
