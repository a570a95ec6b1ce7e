import type { Clock } from '@sentryagent/core'
import type { Denial, RateLimitCheck, RateLimitCounts, RateLimitStore } from './rate-limit-store.js'

interface Counter { count: number, expiresAt: number }

const SWEEP_EVERY = 10_000

/** The embedded mode's counters: one process, so a map is exact; same semantics as the Redis scripts. */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #counters = new Map<string, Counter>()
  #operations = 0

  constructor (private readonly clock: Clock) {}

  // One process: nothing to lease (no round trip to save), so a lease request is ignored.
  async check (check: RateLimitCheck, requests: number): Promise<RateLimitCounts> {
    const window = this.#count(check.windowKey)
    const burst = check.burstLimit === null ? 0 : this.#count(check.burstKey)
    const daily = this.#count(check.dailyKey)
    let admitted = Math.min(requests, check.windowLimit - window)
    if (check.burstLimit !== null) admitted = Math.min(admitted, check.burstLimit - burst)
    if (check.dailyLimit !== null) admitted = Math.min(admitted, check.dailyLimit - daily)
    admitted = Math.max(admitted, 0)
    if (admitted > 0) {
      this.#increment(check.windowKey, admitted, check.windowMs * 2)
      if (check.burstLimit !== null) this.#increment(check.burstKey, admitted, check.burstMs * 2)
      this.#increment(check.dailyKey, admitted, check.dailyTtlMs)
    }
    let denied: Denial | null = null
    if (admitted < requests) {
      if (check.dailyLimit !== null && daily + admitted >= check.dailyLimit) denied = 'daily'
      else if (window + admitted >= check.windowLimit) denied = 'window'
      else denied = 'burst'
    }
    return { admitted, denied, window, burst, daily, spare: 0 }
  }

  async consume (key: string, limit: number | null, ttlMs: number): Promise<{ allowed: boolean, count: number }> {
    const count = this.#count(key)
    if (limit !== null && count >= limit) return { allowed: false, count }
    return { allowed: true, count: this.#increment(key, 1, ttlMs) }
  }

  async read (keys: string[]): Promise<number[]> {
    return keys.map((key) => this.#count(key))
  }

  #count (key: string): number {
    const counter = this.#counters.get(key)
    return counter === undefined || counter.expiresAt <= this.clock.now().getTime() ? 0 : counter.count
  }

  #increment (key: string, by: number, ttlMs: number): number {
    const now = this.clock.now().getTime()
    if (++this.#operations % SWEEP_EVERY === 0) this.#sweep(now)
    const counter = this.#counters.get(key)
    if (counter === undefined || counter.expiresAt <= now) {
      this.#counters.set(key, { count: by, expiresAt: now + ttlMs })
      return by
    }
    return counter.count += by
  }

  // Window keys change every window: forget the expired ones now and then.
  #sweep (now: number): void {
    for (const [key, counter] of this.#counters) if (counter.expiresAt <= now) this.#counters.delete(key)
  }
}
