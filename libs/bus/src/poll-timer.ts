/**
 * The sleep between polls of a reader loop (the relay, an embedded consumer). A wake that arrives
 * while the loop is busy is remembered, so the next sleep returns at once: an append made during a
 * round is picked up by the next round, not by the next poll.
 */
export class PollTimer {
  private wakePending = false;
  private closed = false;
  private interrupt: { byWake: boolean; done: () => void } | undefined;

  /** New work may be there. */
  wake(): void {
    this.wakePending = true;
    if (this.interrupt?.byWake) this.interrupt.done();
  }

  /** Ends the current sleep and every later one at once (the loop is stopping). */
  close(): void {
    this.closed = true;
    this.interrupt?.done();
  }

  /**
   * Sleeps `ms`, cut short by `close()` and, when `wakeable`, by `wake()`. True when a wake ended it (or
   * one came while the loop was busy): new work is likely there, not merely possible.
   */
  sleep(ms: number, { wakeable = true }: { wakeable?: boolean } = {}): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (wakeable && this.wakePending) {
      this.wakePending = false;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const done = (woken: boolean) => {
        clearTimeout(timer);
        this.interrupt = undefined;
        if (wakeable) this.wakePending = false;
        resolve(woken);
      };
      const timer = setTimeout(() => done(false), ms);
      this.interrupt = { byWake: wakeable, done: () => done(this.wakePending) };
    });
  }
}
