/**
 * Sends what is asked while earlier statements are in flight as one statement ("natural batching", as
 * group commit does): the first request goes out alone and at once, so a lone request waits for no
 * timer; requests that arrive while `maxInFlight` batches are out wait for the first of them to return
 * and then go out together. Under a burst the number of statements follows the database's round trips,
 * not the number of requests; at a trickle nothing changes.
 *
 * `run` gets the keys of one batch (in arrival order, duplicates included) and answers each key's
 * result by key; a key it leaves out answers `undefined`. When `run` fails, every request of its batch
 * fails with that error, and the next batch is tried on its own.
 */
export class CoalescingBatcher<K, V> {
  private waiting: { readonly key: K; readonly resolve: (value: V | undefined) => void; readonly reject: (error: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    private readonly run: (keys: readonly K[]) => Promise<ReadonlyMap<K, V> | undefined>,
    private readonly options: { readonly maxInFlight?: number; readonly maxBatch?: number } = {},
  ) {}

  /** The result for `key`, from the batch it went out in. */
  request(key: K): Promise<V | undefined> {
    return new Promise<V | undefined>((resolve, reject) => {
      this.waiting.push({ key, resolve, reject });
      this.sendWhatWaits();
    });
  }

  private oneReturned(): void {
    this.inFlight--;
    this.sendWhatWaits();
  }

  private sendWhatWaits(): void {
    const maxInFlight = this.options.maxInFlight ?? 2;
    while (this.inFlight < maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch ?? 500);
      this.inFlight++;
      let answered: Promise<ReadonlyMap<K, V> | undefined>;
      try {
        answered = this.run(batch.map((request) => request.key));
      } catch (error) {
        answered = Promise.reject(error);
      }
      // The next batch leaves before this one's requests hear back: whoever awaited them finds it sent.
      answered.then(
        (results) => {
          this.oneReturned();
          for (const request of batch) request.resolve(results?.get(request.key));
        },
        (error: unknown) => {
          this.oneReturned();
          for (const request of batch) request.reject(error);
        },
      );
    }
  }
}
