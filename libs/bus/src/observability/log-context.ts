import { AsyncLocalStorage } from 'node:async_hooks';

/** What is being handled, added to every log line written while it is: see the service-kit logger. */
export interface LogContext {
  /** The service doing the work (one process may run several, in embedded mode). */
  readonly service?: string;
  readonly correlationId?: string;
  readonly botId?: string;
  readonly eventId?: string;
  /** The RPC subject or event subject being handled. */
  readonly subject?: string;
  readonly updateId?: number;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `work` with `fields` added to the current log context (fields left undefined are kept from it). */
export function withLogContext<T>(fields: LogContext, work: () => T): T {
  const current = storage.getStore();
  const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== ''));
  return storage.run({ ...current, ...defined }, work);
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}

/**
 * The correlation id of what is being handled (an update, a request, an event), or a new one for work
 * that starts here: events appended while handling a request carry the request's id.
 */
export function correlationIdOrNew(newId: () => string): string {
  return storage.getStore()?.correlationId ?? newId();
}
