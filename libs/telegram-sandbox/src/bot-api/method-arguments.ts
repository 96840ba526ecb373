import { badRequest, TelegramErrors } from '../errors/telegram-api.error.js';
import type { UploadedFile } from '../http/multipart.parser.js';
import type { RequestArguments } from '../http/request-body.parser.js';

/** Where a file argument points: a fresh upload, a file_id the bot got earlier, or an HTTP URL. */
export type InputFileArgument = { kind: 'upload'; file: UploadedFile } | { kind: 'file_id'; fileId: string } | { kind: 'url'; url: string };

/**
 * Typed access to a method's arguments, parsing strings the way the Bot API server does:
 * integers leniently (garbage reads as 0, then clamped), booleans as true/yes/1, JSON on demand,
 * and an empty string counts as absent.
 */
export class MethodArguments {
  constructor(private readonly request: RequestArguments) {}

  /** All arguments as strings, for logging and `apiCalls`. */
  toRecord(): Record<string, string> {
    return Object.fromEntries(this.request.params);
  }

  has(name: string): boolean {
    return this.string(name) !== '';
  }

  string(name: string): string {
    return this.request.params.get(name) ?? '';
  }

  optionalString(name: string): string | undefined {
    const value = this.string(name);
    return value === '' ? undefined : value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === '') throw TelegramErrors.parameterRequired(name);
    return value;
  }

  int(name: string, fallback = 0, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
    const raw = this.string(name).trim();
    const value = raw === '' ? fallback : leadingInteger(raw);
    return Math.min(max, Math.max(min, value));
  }

  bool(name: string): boolean {
    return ['true', 'yes', '1'].includes(this.string(name).trim().toLowerCase());
  }

  /** The raw `chat_id` text; it may be an integer or an @username. */
  chatId(name = 'chat_id'): string {
    const value = this.string(name).trim();
    if (value === '') throw TelegramErrors.chatIdEmpty();
    return value;
  }

  /** A positive message id, or 0 when missing or invalid (the server's own convention). */
  messageId(name = 'message_id'): number {
    const value = this.int(name, 0);
    return Math.max(value, 0);
  }

  userId(name = 'user_id'): number {
    const value = this.int(name, 0);
    if (value <= 0) throw TelegramErrors.invalidUserId(name);
    return value;
  }

  /** Parses a JSON argument, failing with Telegram's "can't parse ... JSON object" text. */
  json(name: string, what = name): unknown {
    const raw = this.string(name);
    if (raw === '') return undefined;
    try {
      return JSON.parse(raw);
    } catch {
      throw badRequest(`can't parse ${what} JSON object`);
    }
  }

  /** A file argument: multipart upload (directly or via attach://), file_id, or URL. */
  file(name: string): InputFileArgument | undefined {
    const direct = this.request.files.get(name);
    if (direct) return { kind: 'upload', file: direct };
    const value = this.string(name).trim();
    if (value === '') return undefined;
    if (value.startsWith('attach://')) {
      const attached = this.request.files.get(value.slice('attach://'.length));
      return attached ? { kind: 'upload', file: attached } : undefined;
    }
    if (/^https?:\/\//i.test(value)) return { kind: 'url', url: value };
    return { kind: 'file_id', fileId: value };
  }
}

/** Like C's strtoll: the integer at the start of the text, 0 when there is none. */
function leadingInteger(text: string): number {
  const match = /^[+-]?\d+/.exec(text);
  if (!match) return 0;
  const value = Number(match[0]);
  return Number.isSafeInteger(value) ? value : 0;
}
