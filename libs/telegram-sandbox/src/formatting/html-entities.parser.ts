import type { MessageEntity } from 'grammy/types';
import { byteOffset, EntityParseError } from './entity-parse.error.js';

/** Result of parsing formatted input: plain text plus entities with UTF-16 offsets. */
export interface ParsedText {
  text: string;
  entities: MessageEntity[];
}

const SUPPORTED_TAGS = new Set([
  'a',
  'b',
  'strong',
  'i',
  'em',
  's',
  'strike',
  'del',
  'u',
  'ins',
  'tg-spoiler',
  'tg-emoji',
  'span',
  'pre',
  'code',
  'blockquote',
]);

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00a0' };

interface OpenTag {
  name: string;
  offset: number;
  attributes: Map<string, string>;
}

/** Telegram's HTML parse mode (the tag set of the Bot API docs), with TDLib's error texts. */
export function parseHtmlEntities(input: string): ParsedText {
  let text = '';
  const entities: MessageEntity[] = [];
  const stack: OpenTag[] = [];
  let i = 0;

  while (i < input.length) {
    const c = input[i];
    if (c === '&') {
      const decoded = decodeEntity(input, i);
      text += decoded.value;
      i = decoded.next;
      continue;
    }
    if (c !== '<') {
      text += c;
      i++;
      continue;
    }

    const tagStart = i;
    if (input[i + 1] === '/') {
      const close = input.indexOf('>', i);
      if (close < 0) throw new EntityParseError(`Unclosed end tag at byte offset ${byteOffset(input, tagStart)}`);
      const name = input
        .slice(i + 2, close)
        .trim()
        .toLowerCase();
      const open = stack.pop();
      if (!open) throw new EntityParseError(`Unexpected end tag at byte offset ${byteOffset(input, tagStart)}`);
      if (open.name !== name) {
        throw new EntityParseError(`Unmatched end tag at byte offset ${byteOffset(input, tagStart)}, expected "</${open.name}>", found "</${name}>"`);
      }
      const entity = entityFor(open, text.length - open.offset, stack);
      if (entity) entities.push(entity);
      i = close + 1;
      continue;
    }

    i++;
    const nameStart = i;
    while (i < input.length && /[a-zA-Z0-9-]/.test(input[i])) i++;
    const name = input.slice(nameStart, i).toLowerCase();
    if (name === '') {
      // A lone '<' that starts no tag is still an error in Telegram's HTML mode.
      throw new EntityParseError(`Unsupported start tag "" at byte offset ${byteOffset(input, tagStart)}`);
    }
    if (!SUPPORTED_TAGS.has(name)) {
      throw new EntityParseError(`Unsupported start tag "${name}" at byte offset ${byteOffset(input, tagStart)}`);
    }
    const attributes = new Map<string, string>();
    for (;;) {
      while (i < input.length && /\s/.test(input[i])) i++;
      if (i >= input.length) throw new EntityParseError(`Unclosed start tag at byte offset ${byteOffset(input, tagStart)}`);
      if (input[i] === '>') {
        i++;
        break;
      }
      if (input[i] === '/' && input[i + 1] === '>') {
        i += 2;
        break;
      }
      const attrStart = i;
      while (i < input.length && /[a-zA-Z0-9_-]/.test(input[i])) i++;
      const attrName = input.slice(attrStart, i).toLowerCase();
      if (attrName === '') {
        throw new EntityParseError(`Empty attribute name in the tag "${name}" at byte offset ${byteOffset(input, tagStart)}`);
      }
      let value = '';
      if (input[i] === '=') {
        i++;
        const quote = input[i];
        if (quote === '"' || quote === "'") {
          const end = input.indexOf(quote, i + 1);
          if (end < 0) throw new EntityParseError(`Unclosed start tag at byte offset ${byteOffset(input, tagStart)}`);
          value = decodeAll(input.slice(i + 1, end));
          i = end + 1;
        } else {
          const valueStart = i;
          while (i < input.length && !/[\s>]/.test(input[i])) i++;
          value = decodeAll(input.slice(valueStart, i));
        }
      }
      attributes.set(attrName, value);
    }
    if (name === 'span' && attributes.get('class') !== 'tg-spoiler') {
      throw new EntityParseError(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(input, tagStart)}`);
    }
    stack.push({ name, offset: text.length, attributes });
  }

  if (stack.length > 0) {
    throw new EntityParseError(`Can't find end tag corresponding to start tag "${stack[stack.length - 1].name}"`);
  }
  return { text, entities };
}

function entityFor(open: OpenTag, length: number, parents: readonly OpenTag[]): MessageEntity | undefined {
  if (length <= 0) return undefined;
  const offset = open.offset;
  switch (open.name) {
    case 'b':
    case 'strong':
      return { type: 'bold', offset, length };
    case 'i':
    case 'em':
      return { type: 'italic', offset, length };
    case 'u':
    case 'ins':
      return { type: 'underline', offset, length };
    case 's':
    case 'strike':
    case 'del':
      return { type: 'strikethrough', offset, length };
    case 'tg-spoiler':
    case 'span':
      return { type: 'spoiler', offset, length };
    case 'code': {
      const parent = parents[parents.length - 1];
      const language = /^language-(.+)$/.exec(open.attributes.get('class') ?? '')?.[1];
      // <pre><code class="language-x"> sets the pre block's language instead of adding a code entity.
      if (parent?.name === 'pre' && parent.offset === offset) {
        if (language) parent.attributes.set('language', language);
        return undefined;
      }
      return { type: 'code', offset, length };
    }
    case 'pre': {
      const language = open.attributes.get('language');
      return language ? { type: 'pre', offset, length, language } : { type: 'pre', offset, length };
    }
    case 'blockquote':
      return open.attributes.has('expandable') ? { type: 'expandable_blockquote', offset, length } : { type: 'blockquote', offset, length };
    case 'tg-emoji': {
      const id = open.attributes.get('emoji-id');
      return id ? { type: 'custom_emoji', offset, length, custom_emoji_id: id } : undefined;
    }
    case 'a': {
      const href = open.attributes.get('href')?.trim();
      if (!href) return undefined;
      const mention = /^tg:\/\/user\?id=(\d+)$/.exec(href);
      if (mention) {
        return {
          type: 'text_mention',
          offset,
          length,
          user: { id: Number(mention[1]), is_bot: false, first_name: '' },
        };
      }
      return { type: 'text_link', offset, length, url: normalizeUrl(href) };
    }
    default:
      return undefined;
  }
}

/** Telegram stores links with a scheme, adding http:// when the bot left it out. */
export function normalizeUrl(url: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `http://${url}`;
}

function decodeEntity(input: string, at: number): { value: string; next: number } {
  const match = /^&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,8});/.exec(input.slice(at, at + 12));
  if (!match) return { value: '&', next: at + 1 };
  const body = match[1];
  let value: string | undefined;
  if (body.startsWith('#x')) value = safeCodePoint(parseInt(body.slice(2), 16));
  else if (body.startsWith('#')) value = safeCodePoint(parseInt(body.slice(1), 10));
  else value = NAMED_ENTITIES[body.toLowerCase()];
  // Unknown named entities stay literal text, as in Telegram.
  return value === undefined ? { value: '&', next: at + 1 } : { value, next: at + match[0].length };
}

function decodeAll(text: string): string {
  let result = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '&') {
      const decoded = decodeEntity(text, i);
      result += decoded.value;
      i = decoded.next;
    } else {
      result += text[i++];
    }
  }
  return result;
}

function safeCodePoint(code: number): string | undefined {
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}
