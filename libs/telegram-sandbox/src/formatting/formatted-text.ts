import type { MessageEntity, User } from 'grammy/types';
import { badRequest } from '../errors/telegram-api.error.js';
import { EntityParseError } from './entity-parse.error.js';
import { parseHtmlEntities, type ParsedText } from './html-entities.parser.js';
import { parseMarkdownEntities, parseMarkdownV2Entities } from './markdown-entities.parser.js';
import { DETECTED_TYPES, findTextEntities, sortEntities } from './text-entity-finder.js';

/** Formatted text as a message stores it. */
export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

export interface FormatTextInput {
  text: string;
  /** `parse_mode` argument; '' or 'none' means plain text. */
  parseMode: string;
  /** Raw `entities` / `caption_entities` JSON argument, used only without a parse mode. */
  entitiesJson?: string;
  /** Fills `text_mention` users; unknown users drop the entity. */
  resolveUser?: (id: number) => User | undefined;
}

const EXPLICIT_TYPES = new Set<string>([
  'bold',
  'italic',
  'underline',
  'strikethrough',
  'spoiler',
  'code',
  'pre',
  'text_link',
  'text_mention',
  'custom_emoji',
  'blockquote',
  'expandable_blockquote',
]);

/**
 * What the Bot API does with `text` + `parse_mode` / `entities`: parse markup, trim surrounding
 * whitespace (shifting entities), then add the entities Telegram detects by itself.
 */
export function formatText(input: FormatTextInput): FormattedText {
  const parsed = parse(input);
  const trimmed = trim(parsed);
  const explicit = trimmed.entities
    .map((entity) => (entity.type === 'text_mention' ? fillMention(entity, input.resolveUser) : entity))
    .filter((entity): entity is MessageEntity => entity !== undefined);
  return {
    text: trimmed.text,
    entities: sortEntities([...explicit, ...findTextEntities(trimmed.text, explicit)]),
  };
}

function parse(input: FormatTextInput): ParsedText {
  const mode = input.parseMode.trim().toLowerCase();
  if (input.text !== '' && mode !== '' && mode !== 'none') {
    try {
      if (mode === 'html') return parseHtmlEntities(input.text);
      if (mode === 'markdownv2') return parseMarkdownV2Entities(input.text);
      if (mode === 'markdown') return parseMarkdownEntities(input.text);
    } catch (error) {
      if (error instanceof EntityParseError) throw error.toTelegramError();
      throw error;
    }
    throw badRequest('unsupported parse_mode');
  }
  return { text: input.text, entities: parseEntitiesArgument(input.entitiesJson, input.text.length) };
}

function parseEntitiesArgument(json: string | undefined, textLength: number): MessageEntity[] {
  if (!json) return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    // The server ignores an unparsable entities argument rather than failing the send.
    return [];
  }
  if (!Array.isArray(value)) return [];
  const entities: MessageEntity[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) throw badRequest("can't parse MessageEntity: expected an Object");
    const entity = item as Record<string, unknown>;
    if (typeof entity.offset !== 'number') throw badRequest('can\'t parse MessageEntity: Field "offset" must be of type Number');
    if (typeof entity.length !== 'number') throw badRequest('can\'t parse MessageEntity: Field "length" must be of type Number');
    const type = entity.type;
    if (typeof type !== 'string' || type === '') throw badRequest("can't parse MessageEntity: Type is not specified");
    if (DETECTED_TYPES.has(type)) continue;
    if (!EXPLICIT_TYPES.has(type)) throw badRequest("can't parse MessageEntity: Unsupported type specified");
    if (type === 'text_link' && typeof entity.url !== 'string') throw badRequest('can\'t parse MessageEntity: Field "url" must be of type String');
    // Out-of-range entities are clipped by Telegram instead of rejected.
    const offset = Math.max(0, Math.min(entity.offset, textLength));
    const length = Math.max(0, Math.min(entity.length, textLength - offset));
    if (length > 0) entities.push({ ...(entity as unknown as MessageEntity), offset, length });
  }
  return entities;
}

function trim(parsed: ParsedText): ParsedText {
  const start = parsed.text.length - parsed.text.trimStart().length;
  const text = parsed.text.trim();
  const entities = parsed.entities
    .map((entity) => {
      const from = Math.max(entity.offset - start, 0);
      const to = Math.min(entity.offset + entity.length - start, text.length);
      return { ...entity, offset: from, length: to - from };
    })
    .filter((entity) => entity.length > 0);
  return { text, entities };
}

function fillMention(entity: MessageEntity, resolveUser: FormatTextInput['resolveUser']): MessageEntity | undefined {
  if (entity.type !== 'text_mention') return entity;
  const user = resolveUser?.(entity.user.id);
  return user ? { ...entity, user } : undefined;
}
