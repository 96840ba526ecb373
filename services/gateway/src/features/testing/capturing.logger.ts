import { Logger } from '@nestjs/common';

/** One line a {@link CapturingLogger} received. */
export interface CapturedLog {
  readonly level: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  readonly message: string;
  /** The stack or other parameters, as given. */
  readonly details: readonly unknown[];
}

/** A Nest logger that keeps what it is told, for specs that assert on logging. Prints nothing. */
export class CapturingLogger extends Logger {
  readonly entries: CapturedLog[] = [];

  constructor() {
    super('test');
  }

  override error(message: unknown, ...details: unknown[]): void {
    this.entries.push({ level: 'error', message: String(message), details });
  }

  override warn(message: unknown, ...details: unknown[]): void {
    this.entries.push({ level: 'warn', message: String(message), details });
  }

  override log(message: unknown, ...details: unknown[]): void {
    this.entries.push({ level: 'log', message: String(message), details });
  }

  override debug(message: unknown, ...details: unknown[]): void {
    this.entries.push({ level: 'debug', message: String(message), details });
  }

  override verbose(message: unknown, ...details: unknown[]): void {
    this.entries.push({ level: 'verbose', message: String(message), details });
  }

  errors(): CapturedLog[] {
    return this.entries.filter((entry) => entry.level === 'error');
  }
}
