import { currentLogContext } from '@botplatform/bus';
import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';

export interface ServiceLoggerOptions {
  /** Named on lines written outside any log context (start, stop); the context's own service wins. */
  readonly service?: string;
  /** Lowest level written (default LOG_LEVEL, else `info`). */
  readonly level?: Level;
  /** Where lines go (default stdout); tests pass a stream to read them back. */
  readonly destination?: DestinationStream;
}

/** A Telegram bot token (`<bot id>:<35 characters>`): never written, whatever message carries one. */
const BOT_TOKEN = /\b\d{5,}:[A-Za-z0-9_-]{30,}\b/g;

/**
 * Nest's logger as pino JSON lines: one object per line with `level`, `time`, `msg`, the Nest context
 * (the class that logged) and the log context of the work being done (service, correlationId, botId,
 * eventId, subject), set by the RPC interceptor, the consumers and the gateway's update handling.
 */
export class PinoLoggerService implements LoggerService {
  readonly pino: Logger;

  constructor(options: ServiceLoggerOptions = {}) {
    const level = options.level ?? (process.env.LOG_LEVEL as Level | undefined) ?? 'info';
    this.pino = pino(
      {
        level,
        base: { pid: process.pid },
        mixin: () => ({ service: options.service, ...currentLogContext() }),
        // Tokens in structured fields, whoever logs them.
        redact: { paths: ['token', '*.token', 'headers.authorization', '*.headers.authorization'], censor: '[redacted]' },
        hooks: {
          logMethod(args, method) {
            method.apply(this, args.map((arg) => (typeof arg === 'string' ? arg.replace(BOT_TOKEN, '[redacted token]') : arg)) as Parameters<typeof method>);
          },
        },
      },
      options.destination ?? defaultDestination(),
    );
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest passes the logging class's name last, and for errors a stack before it. */
  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = [...params];
    const fields: Record<string, unknown> = {};
    if (rest.length && typeof rest[rest.length - 1] === 'string') fields.context = rest.pop();
    if (level === 'error' || level === 'fatal') {
      if (typeof rest[0] === 'string') fields.stack = rest.shift();
    }
    if (message instanceof Error) {
      fields.err = message;
      this.pino[level](fields, message.message);
      return;
    }
    if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...message });
      return;
    }
    this.pino[level](fields, String(message));
  }
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * One readable line per JSON line: `12:00:01 WARN  users [RpcClient] message (correlation 1a2b3c4d)`, for a
 * person at a terminal (`npm start`). Processes in production keep the JSON lines a log collector reads.
 */
export function readableLogLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 19) : '';
  const level = (LEVEL_NAMES[entry.level as number] ?? String(entry.level)).padEnd(5);
  const where = [entry.service, entry.context ? `[${String(entry.context)}]` : undefined].filter(Boolean).join(' ');
  const correlation = typeof entry.correlationId === 'string' ? ` (correlation ${entry.correlationId.slice(0, 8)})` : '';
  const stack = typeof entry.stack === 'string' ? `\n${entry.stack}` : '';
  return `${time} ${level} ${where} ${String(entry.msg ?? '')}${correlation}${stack}`;
}

/** JSON lines, unless `LOG_FORMAT=pretty`, or no `LOG_FORMAT` and a terminal to write to. */
function defaultDestination(): DestinationStream | undefined {
  const format = process.env.LOG_FORMAT;
  if (format === 'json' || (format !== 'pretty' && !process.stdout.isTTY)) return undefined;
  return { write: (line: string) => void process.stdout.write(`${readableLogLine(line)}\n`) };
}
