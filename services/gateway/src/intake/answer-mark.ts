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

  constructor(private readonly mark: () => Promise<void>) {}

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
}

const updateInHand = new AsyncLocalStorage<AnswerMark>();

/** Runs `handle` with `mark` as the update in hand of every Bot API call it leads to. */
export function withAnswerMark<T>(mark: AnswerMark, handle: () => T): T {
  return updateInHand.run(mark, handle);
}

/**
 * A grammY transformer that marks the update in hand before any call but the `get…` reads. Calls made
 * outside an update (the outbound worker, start-up) pass untouched: they have their own ledger.
 */
export function markedBeforeVisibleCalls(): Transformer {
  return async (call, method, payload, signal) => {
    const mark = updateInHand.getStore();
    if (mark && !method.startsWith('get')) await mark.ensure();
    return call(method, payload, signal);
  };
}
