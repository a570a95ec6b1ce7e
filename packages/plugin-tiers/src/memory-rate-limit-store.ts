import type { Clock } from '@sentryagent/core'
import type { RateLimitCheck, RateLimitCounts, RateLimitStore } from './rate-limit-store.js'

interface Counter { count: number, expiresAt: number }

const SWEEP_EVERY = 10_000

/** The embedded mode's counters: one process, so a map is exact; same semantics as the Redis scripts. */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #counters = new Map<string, Counter>()
  #operations = 0

  constructor (private readonly clock: Clock) {}

  async check (check: RateLimitCheck): Promise<RateLimitCounts> {
    const window = this.#count(check.windowKey)
    const burst = check.burstLimit === null ? 0 : this.#count(check.burstKey)
    const daily = this.#count(check.dailyKey)
    const denied = check.dailyLimit !== null && daily >= check.dailyLimit
      ? 'daily'
      : window >= check.windowLimit ? 'window' : check.burstLimit !== null && burst >= check.burstLimit ? 'burst' : null
    if (denied !== null) return { denied, window, burst, daily }
    return {
      denied,
      window: this.#increment(check.windowKey, check.windowMs * 2),
      burst: check.burstLimit === null ? 0 : this.#increment(check.burstKey, check.burstMs * 2),
      daily: this.#increment(check.dailyKey, check.dailyTtlMs)
    }
  }

  async consume (key: string, limit: number | null, ttlMs: number): Promise<{ allowed: boolean, count: number }> {
    const count = this.#count(key)
    if (limit !== null && count >= limit) return { allowed: false, count }
    return { allowed: true, count: this.#increment(key, ttlMs) }
  }

  async read (keys: string[]): Promise<number[]> {
    return keys.map((key) => this.#count(key))
  }

  #count (key: string): number {
    const counter = this.#counters.get(key)
    return counter === undefined || counter.expiresAt <= this.clock.now().getTime() ? 0 : counter.count
  }

  #increment (key: string, ttlMs: number): number {
    const now = this.clock.now().getTime()
    if (++this.#operations % SWEEP_EVERY === 0) this.#sweep(now)
    const counter = this.#counters.get(key)
    if (counter === undefined || counter.expiresAt <= now) {
      this.#counters.set(key, { count: 1, expiresAt: now + ttlMs })
      return 1
    }
    return ++counter.count
  }

  // Window keys change every window: forget the expired ones now and then.
  #sweep (now: number): void {
    for (const [key, counter] of this.#counters) if (counter.expiresAt <= now) this.#counters.delete(key)
  }
}
