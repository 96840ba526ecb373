import type { IncomingMessage } from 'node:http';
import { badRequest, TelegramApiError } from '../errors/telegram-api.error.js';
import { MultipartParseError, parseMultipart, type UploadedFile } from './multipart.parser.js';

/** Largest body accepted; Telegram's own cap for bot uploads is 50 MB. */
const MAX_BODY_BYTES = 50 * 1024 * 1024;

/**
 * A request's arguments the way the Bot API server sees them: every value a string (JSON objects
 * as their JSON text), uploaded files apart. Methods then parse strings exactly as Telegram does,
 * so JSON, urlencoded, multipart and query-string calls behave the same.
 */
export interface RequestArguments {
  params: Map<string, string>;
  files: Map<string, UploadedFile>;
}

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new TelegramApiError(413, 'Request Entity Too Large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Merges query-string and body arguments; body values win, as they are what clients mean to send. */
export async function readRequestArguments(request: IncomingMessage, url: URL): Promise<RequestArguments> {
  const params = new Map<string, string>();
  const files = new Map<string, UploadedFile>();
  for (const [name, value] of url.searchParams) params.set(name, value);

  const body = request.method === 'GET' || request.method === 'HEAD' ? Buffer.alloc(0) : await readBody(request);
  if (body.length === 0) return { params, files };

  const contentType = (request.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('application/json')) {
    for (const [name, value] of Object.entries(parseJsonObject(body))) {
      const text = stringifyArgument(value);
      if (text !== undefined) params.set(name, text);
    }
  } else if (contentType.startsWith('multipart/form-data')) {
    try {
      const multipart = parseMultipart(body, request.headers['content-type'] ?? '');
      for (const [name, value] of multipart.fields) params.set(name, value);
      for (const [name, file] of multipart.files) files.set(name, file);
    } catch (error) {
      if (error instanceof MultipartParseError) throw badRequest(`can't parse multipart/form-data: ${error.message}`);
      throw error;
    }
  } else {
    // Telegram treats anything else as urlencoded, which is also what curl -d sends.
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) params.set(name, value);
  }
  return { params, files };
}

function parseJsonObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest("can't parse JSON encoded request");
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('JSON object expected as request body');
  }
  return value as Record<string, unknown>;
}

function stringifyArgument(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}
