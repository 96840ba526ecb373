import { AsyncLocalStorage } from 'node:async_hooks';
import type { Transformer } from 'grammy';

/**
 * The journal's mark on one update being handled: set once, just before the update's first Bot API
 * call that a member can see (a reply, an edit, an invoice, a callback answer…). From then on the
 * update is not handled again after a crash (ADR 0009).
 *
 * Why before and not after: Telegram gives no idempotency for sends, so there is always a moment when
 * a message may have left and we do not know it. Marking after the answer, as the settle did, leaves
 * that moment open for the whole round trip to Telegram plus the settle; a gateway killed in it
 * answered the update twice. Marked before, the only moment left is between the mark's commit and
 * the request's bytes leaving, and what it risks is one missing answer, not a second one.
 */
export class AnswerMark {
  private marking: Promise<void> | undefined;
  private done = false;
  /** Calls that left and may have reached the member (answered, or an outcome nobody knows). */
  private reached = 0;
  private inFlight = 0;

  constructor(
    private readonly mark: () => Promise<void>,
    private readonly unmark: () => Promise<void> = async () => undefined,
  ) {}

  /** True once the mark is in the journal: the update must not be handled again. */
  get marked(): boolean {
    return this.done;
  }

  /** Marks the update (once; again after a failed attempt). A failure throws, and nothing is sent. */
  ensure(): Promise<void> {
    this.marking ??= this.mark().then(
      () => {
        this.done = true;
      },
      (error: unknown) => {
        this.marking = undefined;
        throw error;
      },
    );
    return this.marking;
  }

  /** Runs one call under the mark, and learns from its outcome whether the member may have seen it. */
  async around<T>(call: () => Promise<T>, refused: (result: T) => boolean): Promise<T> {
    await this.ensure();
    this.inFlight++;
    let result: T;
    try {
      result = await call();
    } catch (error) {
      this.inFlight--;
      if (neverLeft(error)) await this.release();
      else this.reached++;
      throw error;
    }
    this.inFlight--;
    if (refused(result)) await this.release();
    else this.reached++;
    return result;
  }

  /**
   * Takes the mark back when nothing the update sent can have reached the member: Telegram refused every
   * call so far (a 429 whose `retry_after` auto-retry now waits out, a 400). A process killed during that
   * wait then handles the update again instead of leaving it unanswered. If the journal cannot be written,
   * the mark stays: at most once, as before.
   */
  private async release(): Promise<void> {
    if (this.reached > 0 || this.inFlight > 0 || !this.done) return;
    try {
      await this.unmark();
      this.done = false;
      this.marking = undefined;
    } catch {
      // Kept marked.
    }
  }
}

/** A request that provably never reached Telegram: the connection was refused. */
function neverLeft(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = (cause as { error?: unknown; cause?: unknown }).error ?? cause.cause) {
    if ((cause as { code?: unknown }).code === 'ECONNREFUSED') return true;
  }
  return false;
}

const updateInHand = new AsyncLocalStorage<AnswerMark>();

/** Runs `handle` with `mark` as the update in hand of every Bot API call it leads to. */
export function withAnswerMark<T>(mark: AnswerMark, handle: () => T): T {
  return updateInHand.run(mark, handle);
}

/**
 * A grammY transformer that marks the update in hand before any call but the `get…` reads, and takes the
 * mark back when Telegram refused the call (`ok: false`: nothing was sent) and nothing else of the update
 * left. Installed inside auto-retry, so each attempt is one call here: a 429's wait happens unmarked.
 * Calls made outside an update (the outbound worker, start-up) pass untouched: they have their own ledger.
 */
export function markedBeforeVisibleCalls(): Transformer {
  return async (call, method, payload, signal) => {
    const mark = updateInHand.getStore();
    if (!mark || method.startsWith('get')) return call(method, payload, signal);
    return mark.around(
      () => call(method, payload, signal),
      (result) => result.ok === false,
    );
  };
}
