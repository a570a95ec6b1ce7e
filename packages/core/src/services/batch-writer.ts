/**
 * Group commit: callers enqueue items and await their own result, while one writer at a
 * time persists everything queued so far in a single call. Concurrent requests share a
 * transaction instead of queueing behind each other's.
 */
export class BatchWriter<I, O> {
  #queue: Array<{ item: I, resolve: (value: O) => void, reject: (error: unknown) => void }> = []
  #running: Promise<void> | undefined

  constructor (
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly maxBatchSize = 500
  ) {}

  async add (item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject })
      this.#running ??= this.#drain()
    })
  }

  /** Resolves once everything enqueued so far has been written (or failed). */
  async idle (): Promise<void> {
    while (this.#running !== undefined) await this.#running
  }

  async #drain (): Promise<void> {
    // Let the current tick's requests join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve))
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.maxBatchSize)
      try {
        const results = await this.write(batch.map((entry) => entry.item))
        batch.forEach((entry, index) => { entry.resolve(results[index]!) })
      } catch (error) {
        for (const entry of batch) entry.reject(error)
      }
    }
    this.#running = undefined
  }
}
