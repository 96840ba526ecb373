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

  /** Sleeps `ms`, cut short by `close()` and, when `wakeable`, by `wake()`. */
  sleep(ms: number, { wakeable = true }: { wakeable?: boolean } = {}): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (wakeable && this.wakePending) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.interrupt = undefined;
        if (wakeable) this.wakePending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.interrupt = { byWake: wakeable, done };
    });
  }
}
