import type { LoggerService } from '@nestjs/common';

/** Keeps every log line in memory, so tests can assert what was (and was not) logged. */
export class CapturingLogger implements LoggerService {
  readonly lines: { level: string; message: string }[] = [];

  log(message: unknown, ...rest: unknown[]): void {
    this.add('log', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.add('warn', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.add('error', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.add('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.add('verbose', message, rest);
  }

  /** Every line as one text, for `not.toContain(secret)`. */
  text(): string {
    return this.lines.map((line) => `${line.level} ${line.message}`).join('\n');
  }

  private add(level: string, message: unknown, rest: unknown[]): void {
    this.lines.push({ level, message: [message, ...rest].map((part) => (part instanceof Error ? `${part.message} ${part.stack}` : String(part))).join(' ') });
  }
}
