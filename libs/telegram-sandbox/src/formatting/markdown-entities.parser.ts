import type { MessageEntity } from 'grammy/types';
import { byteOffset, EntityParseError } from './entity-parse.error.js';
import { normalizeUrl, type ParsedText } from './html-entities.parser.js';

const V2_RESERVED = '_*[]()~`>#+-=|{}.!';

type V2EntityKind = 'Bold' | 'Italic' | 'Underline' | 'Strikethrough' | 'Spoiler' | 'Code' | 'Pre' | 'PreCode' | 'TextUrl' | 'CustomEmoji';

interface OpenV2Entity {
  kind: V2EntityKind;
  offset: number;
  byteOffset: number;
  language?: string;
}

/**
 * Telegram's MarkdownV2: every reserved character outside an entity must be escaped, entities nest,
 * and errors use TDLib's wording ("Character '.' is reserved and must be escaped with the preceding '\'").
 */
export function parseMarkdownV2Entities(input: string): ParsedText {
  let text = '';
  const entities: MessageEntity[] = [];
  const stack: OpenV2Entity[] = [];
  let quoteStart: number | undefined;
  let i = 0;

  const top = (): OpenV2Entity | undefined => stack[stack.length - 1];
  const inCode = (): boolean => ['Code', 'Pre', 'PreCode'].includes(top()?.kind ?? '');
  const lineStart = (at: number): boolean => at === 0 || input[at - 1] === '\n';
  const closeQuote = (): void => {
    if (quoteStart !== undefined && text.length > quoteStart) {
      entities.push({ type: 'blockquote', offset: quoteStart, length: text.length - quoteStart });
    }
    quoteStart = undefined;
  };

  while (i < input.length) {
    const c = input[i];

    if (c === '\\' && i + 1 < input.length && input.charCodeAt(i + 1) > 0 && input.charCodeAt(i + 1) < 127) {
      text += input[i + 1];
      i += 2;
      continue;
    }

    if (!inCode() && lineStart(i)) {
      if (c === '>') {
        if (quoteStart === undefined) quoteStart = text.length;
        i++;
        continue;
      }
      if (quoteStart !== undefined) closeQuote();
    }

    if (!V2_RESERVED.includes(c)) {
      text += c;
      i++;
      continue;
    }

    const open = top();
    if (inCode() && c !== '`') {
      text += c;
      i++;
      continue;
    }

    if (open && closesEntity(open.kind, input, i)) {
      stack.pop();
      let url: string | undefined;
      if (open.kind === 'Underline' || open.kind === 'Spoiler') i += 2;
      else if (open.kind === 'Pre' || open.kind === 'PreCode') i += 3;
      else i += 1;
      if (open.kind === 'TextUrl' || open.kind === 'CustomEmoji') {
        const parsedUrl = readLinkTarget(input, i);
        url = parsedUrl.url;
        i = parsedUrl.next;
        if (url === undefined) url = text.slice(open.offset);
      }
      const length = text.length - open.offset;
      if (length > 0) {
        const entity = v2Entity(open, length, url);
        if (entity) entities.push(entity);
      }
      continue;
    }

    const startByte = byteOffset(input, i);
    const push = (kind: V2EntityKind, width: number, language?: string): void => {
      stack.push({ kind, offset: text.length, byteOffset: startByte, language });
      i += width;
    };
    if (c === '_' && input[i + 1] === '_') push('Underline', 2);
    else if (c === '_') push('Italic', 1);
    else if (c === '*') push('Bold', 1);
    else if (c === '~') push('Strikethrough', 1);
    else if (c === '|' && input[i + 1] === '|') push('Spoiler', 2);
    else if (c === '[') push('TextUrl', 1);
    else if (c === '!' && input[i + 1] === '[') push('CustomEmoji', 2);
    else if (c === '`' && input.startsWith('```', i)) {
      const newline = input.indexOf('\n', i + 3);
      const firstLine = newline < 0 ? '' : input.slice(i + 3, newline);
      // A language name directly after ``` (no spaces) turns the block into pre with a language.
      if (newline >= 0 && /^[^\s`]+$/.test(firstLine)) push('PreCode', 3 + firstLine.length + 1, firstLine);
      else push('Pre', 3);
    } else if (c === '`') push('Code', 1);
    else throw new EntityParseError(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
  }

  if (stack.length > 0) {
    const open = stack[stack.length - 1];
    throw new EntityParseError(`Can't find end of ${open.kind} entity at byte offset ${open.byteOffset}`);
  }
  closeQuote();
  return { text, entities };
}

function closesEntity(kind: V2EntityKind, input: string, at: number): boolean {
  const c = input[at];
  switch (kind) {
    case 'Bold':
      return c === '*';
    case 'Italic':
      return c === '_' && input[at + 1] !== '_';
    case 'Underline':
      return c === '_' && input[at + 1] === '_';
    case 'Strikethrough':
      return c === '~';
    case 'Spoiler':
      return c === '|' && input[at + 1] === '|';
    case 'Code':
      return c === '`';
    case 'Pre':
    case 'PreCode':
      return input.startsWith('```', at);
    case 'TextUrl':
    case 'CustomEmoji':
      return c === ']';
  }
}

function readLinkTarget(input: string, at: number): { url?: string; next: number } {
  if (input[at] !== '(') return { next: at };
  let url = '';
  let i = at + 1;
  while (i < input.length && input[i] !== ')') {
    if (input[i] === '\\' && i + 1 < input.length) {
      url += input[i + 1];
      i += 2;
    } else {
      url += input[i++];
    }
  }
  if (i >= input.length) throw new EntityParseError(`Can't find end of a URL at byte offset ${byteOffset(input, at)}`);
  return { url, next: i + 1 };
}

function v2Entity(open: OpenV2Entity, length: number, url?: string): MessageEntity | undefined {
  const offset = open.offset;
  switch (open.kind) {
    case 'Bold':
      return { type: 'bold', offset, length };
    case 'Italic':
      return { type: 'italic', offset, length };
    case 'Underline':
      return { type: 'underline', offset, length };
    case 'Strikethrough':
      return { type: 'strikethrough', offset, length };
    case 'Spoiler':
      return { type: 'spoiler', offset, length };
    case 'Code':
      return { type: 'code', offset, length };
    case 'Pre':
      return { type: 'pre', offset, length };
    case 'PreCode':
      return { type: 'pre', offset, length, language: open.language ?? '' };
    case 'TextUrl': {
      if (!url) return undefined;
      const mention = /^tg:\/\/user\?id=(\d+)$/.exec(url);
      if (mention) return { type: 'text_mention', offset, length, user: { id: Number(mention[1]), is_bot: false, first_name: '' } };
      return { type: 'text_link', offset, length, url: normalizeUrl(url) };
    }
    case 'CustomEmoji': {
      const id = url ? /^tg:\/\/emoji\?id=(\d+)$/.exec(url)?.[1] : undefined;
      return id ? { type: 'custom_emoji', offset, length, custom_emoji_id: id } : undefined;
    }
  }
}

/**
 * Legacy Markdown: no nesting, only `_ * \` [` are special, and an unclosed entity is reported
 * as "Can't find end of the entity starting at byte offset N".
 */
export function parseMarkdownEntities(input: string): ParsedText {
  let text = '';
  const entities: MessageEntity[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c === '\\' && '_*`['.includes(input[i + 1] ?? '')) {
      text += input[i + 1];
      i += 2;
      continue;
    }
    if (!'_*`['.includes(c)) {
      text += c;
      i++;
      continue;
    }
    const startByte = byteOffset(input, i);
    const fail = (): never => {
      throw new EntityParseError(`Can't find end of the entity starting at byte offset ${startByte}`);
    };
    const offset = text.length;
    if (c === '`' && input.startsWith('```', i)) {
      let bodyStart = i + 3;
      const end = input.indexOf('```', bodyStart);
      if (end < 0) fail();
      const newline = input.indexOf('\n', bodyStart);
      let language: string | undefined;
      if (newline >= 0 && newline < end && /^[^\s`]+$/.test(input.slice(bodyStart, newline))) {
        language = input.slice(bodyStart, newline);
        bodyStart = newline + 1;
      }
      text += input.slice(bodyStart, end);
      if (text.length > offset) {
        entities.push(language ? { type: 'pre', offset, length: text.length - offset, language } : { type: 'pre', offset, length: text.length - offset });
      }
      i = end + 3;
      continue;
    }
    if (c === '[') {
      const close = input.indexOf(']', i + 1);
      if (close < 0) fail();
      text += input.slice(i + 1, close);
      i = close + 1;
      if (input[i] === '(') {
        const end = input.indexOf(')', i);
        if (end < 0) fail();
        const url = input.slice(i + 1, end);
        if (text.length > offset && url) entities.push({ type: 'text_link', offset, length: text.length - offset, url: normalizeUrl(url) });
        i = end + 1;
      }
      continue;
    }
    const end = input.indexOf(c, i + 1);
    if (end < 0) fail();
    text += input.slice(i + 1, end);
    const length = text.length - offset;
    if (length > 0) entities.push({ type: c === '*' ? 'bold' : c === '_' ? 'italic' : 'code', offset, length });
    i = end + 1;
  }
  return { text, entities };
}
