/**
 * Group commit: callers enqueue items and await their own result, while writers persist
 * everything queued so far in a single call. Concurrent requests share a transaction
 * instead of queueing behind each other's. Up to `concurrency` batches are in flight, so a
 * new batch starts gathering while earlier ones are still being written instead of waiting
 * for them (callers that need an order between two items await the first before adding
 * the second).
 */
export class BatchWriter<I, O> {
  #queue: Array<{ item: I, resolve: (value: O) => void, reject: (error: unknown) => void }> = []
  readonly #writers = new Set<Promise<void>>()
  // A writer is waiting for the current tick's items: the next ones join its batch.
  #gathering = false

  constructor (
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly concurrency = 1,
    private readonly maxBatchSize = 500
  ) {}

  async add (item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject })
      if (!this.#gathering && this.#writers.size < this.concurrency) {
        const writer = this.#drain().finally(() => this.#writers.delete(writer))
        this.#writers.add(writer)
      }
    })
  }

  /** Resolves once everything enqueued so far has been written (or failed). */
  async idle (): Promise<void> {
    while (this.#writers.size > 0) await Promise.all(this.#writers)
  }

  async #drain (): Promise<void> {
    // Let the current tick's requests join the batch.
    this.#gathering = true
    await new Promise<void>((resolve) => setImmediate(resolve))
    this.#gathering = false
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.maxBatchSize)
      try {
        const results = await this.write(batch.map((entry) => entry.item))
        batch.forEach((entry, index) => { entry.resolve(results[index]!) })
      } catch (error) {
        for (const entry of batch) entry.reject(error)
      }
    }
  }
}
