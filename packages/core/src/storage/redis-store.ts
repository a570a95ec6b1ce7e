import { Cluster, type Redis } from 'ioredis'
import type { KeyValueStore } from './key-value-store.js'

/**
 * Redis-backed store shared by every server instance, on one Redis or a Redis Cluster (where the
 * keys read together by `getMany` must share a hash tag). Subscriptions and batched reads each
 * need a connection of their own, which this store opens on first use and closes itself.
 */
export class RedisKeyValueStore implements KeyValueStore {
  #subscriber: Redis | undefined
  #reads: Redis | Cluster | undefined
  readonly #listeners = new Map<string, Array<(message: string) => void>>()
  readonly #resumeListeners: Array<() => void> = []
  #listening = false
  #missedSome = false
  #closed = false

  constructor (private readonly redis: Redis | Cluster) {}

  async get (key: string): Promise<string | null> {
    return this.redis.get(key)
  }

  /**
   * Every authenticated request reads its revocation entries here. Those reads go through a
   * connection of their own with ioredis' auto-pipelining: the reads of one event-loop pass leave
   * in one write, where a write each (and Redis woken for each) cost more than the reads. Only
   * these reads: a batch waits for the one before it, which the rate limiter's deadline and the
   * other commands' fail-fast behaviour must not. Until that connection is ready (first use,
   * outages) the main client answers, failing fast as ever.
   */
  async getMany (keys: string[]): Promise<Array<string | null>> {
    if (keys.length === 0) return []
    if (!this.#closed) this.#reads ??= this.#openReads()
    return (this.#reads?.status === 'ready' ? this.#reads : this.redis).mget(keys)
  }

  async set (key: string, value: string, ttlSeconds?: number): Promise<void> {
    if (ttlSeconds === undefined) await this.redis.set(key, value)
    else await this.redis.set(key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)))
  }

  async delete (key: string): Promise<void> {
    await this.redis.del(key)
  }

  async increment (key: string, by: number, ttlSeconds: number): Promise<number> {
    // SET NX starts the window with its expiry (EXPIRE NX would need Redis 7).
    const [, [, value]] = await this.redis.multi().set(key, '0', 'EX', ttlSeconds, 'NX').incrby(key, by).exec() as [unknown, [Error | null, number]]
    return value
  }

  async publish (channel: string, message: string): Promise<void> {
    await this.redis.publish(channel, message)
  }

  async subscribe (channel: string, listener: (message: string) => void): Promise<void> {
    if (this.#subscriber === undefined) {
      this.#subscriber = this.#openSubscriber()
      this.#subscriber.on('error', () => {})
      this.#subscriber.on('message', (from: string, message: string) => {
        for (const notify of this.#listeners.get(from) ?? []) notify(message)
      })
      this.#subscriber.on('close', () => {
        this.#listening = false
        this.#missedSome = true
      })
      const subscriber = this.#subscriber
      // 'ready' is emitted before ioredis re-sends the subscriptions: confirm once that is done.
      this.#subscriber.on('ready', () => { setImmediate(() => { void this.#confirmListening(subscriber) }) })
    }
    const listeners = this.#listeners.get(channel) ?? []
    if (listeners.length === 0) await this.#subscriber.subscribe(channel)
    this.#listeners.set(channel, [...listeners, listener])
  }

  #openReads (): Redis | Cluster {
    const batched = { enableAutoPipelining: true, lazyConnect: false }
    const reads = this.redis instanceof Cluster ? this.redis.duplicate([], batched) : this.redis.duplicate(batched)
    reads.on('error', () => {}) // the main client reports outages; this one reconnects by itself
    return reads
  }

  /** The subscriber waits out outages (queueing, resubscribing) whatever the main client's fail-fast settings. */
  #openSubscriber (): Redis {
    const patient = { lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: null }
    if (!(this.redis instanceof Cluster)) return this.redis.duplicate(patient)
    // A cluster delivers every PUBLISH to every node, so one node's connection hears it all, and
    // its own 'close' and 'ready' say when it does not (the cluster client's subscriber moves
    // between nodes without a word). Pinned to that node: while it is away, caches read through.
    const node: Redis | undefined = this.redis.nodes('master')[0]
    if (node === undefined) throw new Error('the Redis Cluster has no known node: connect it before subscribing')
    return node.duplicate({ ...patient, readOnly: false, retryStrategy: (attempt: number) => Math.min(attempt * 50, 2000) })
  }

  get listening (): boolean {
    return this.#listening
  }

  onListeningResumed (listener: () => void): void {
    this.#resumeListeners.push(listener)
  }

  async #confirmListening (subscriber: Redis): Promise<void> {
    // Redis answers in order: a PING answered after the re-sent subscriptions proves they hold.
    try {
      await subscriber.ping()
    } catch {
      return // closed again: the next 'ready' confirms
    }
    if (this.#missedSome) {
      this.#missedSome = false
      for (const resume of this.#resumeListeners) resume()
    }
    this.#listening = true
  }

  async ping (): Promise<void> {
    await this.redis.ping()
  }

  /** Closes only the connections this store opened; the caller owns `redis`. */
  async close (): Promise<void> {
    this.#closed = true
    this.#reads?.disconnect()
    await this.#subscriber?.quit().catch(() => {})
    this.#listeners.clear()
  }
}
