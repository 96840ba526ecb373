import type { SandboxCore } from '../sandbox-core.js';
import type { BotRecord } from '../state/sandbox-records.js';
import type { MethodArguments } from './method-arguments.js';

/** One Bot API call as a method handler sees it. */
export interface MethodCall {
  bot: BotRecord;
  args: MethodArguments;
  /** Aborted when the client disconnects (long polls stop waiting). */
  signal: AbortSignal;
}

/** A result with the optional `description` Telegram adds to some successes ("Webhook was set"). */
export class DescribedResult {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

/** Handles one method; returns the `result` (or a {@link DescribedResult}) or throws a TelegramApiError. */
export type MethodHandler = (call: MethodCall) => unknown;

/** Methods by their documented name; lookup is case-insensitive like the real server. */
export type MethodTable = Record<string, MethodHandler>;

/** A group of related methods built on the sandbox services. */
export type MethodGroup = (core: SandboxCore) => MethodTable;
