import type { Redis } from 'ioredis'
import { DENIALS, type RateLimitCheck, type RateLimitCounts, type RateLimitStore } from './rate-limit-store.js'

// Decides a batch of n requests of one caller at once, exactly as n sequential checks would:
// the first k are admitted (k bounded by what is left in each window), the rest refused for
// the first limit that binds (the daily one first, so that a 429 names the longest wait), and
// refused requests consume nothing. -1 means no limit.
const CHECK_SCRIPT = `
local limit, burst, daily, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[7])
local w = tonumber(redis.call('GET', KEYS[1]) or '0')
local b = burst >= 0 and tonumber(redis.call('GET', KEYS[2]) or '0') or 0
local d = tonumber(redis.call('GET', KEYS[3]) or '0')
local k = math.min(n, limit - w)
if burst >= 0 then k = math.min(k, burst - b) end
if daily >= 0 then k = math.min(k, daily - d) end
k = math.max(k, 0)
local function count (key, ttl)
  if redis.call('INCRBY', key, k) == k then redis.call('PEXPIRE', key, ttl) end
end
if k > 0 then
  count(KEYS[1], ARGV[4])
  if burst >= 0 then count(KEYS[2], ARGV[5]) end
  count(KEYS[3], ARGV[6])
end
local denied = 0
if k < n then
  if daily >= 0 and d + k >= daily then denied = 3
  elseif w + k >= limit then denied = 1
  else denied = 2 end
end
return { k, w, b, d, denied }`

const CONSUME_SCRIPT = `
local limit = tonumber(ARGV[1])
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if limit >= 0 and count >= limit then return { 0, count } end
count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return { 1, count }`

type Script = (...args: Array<string | number>) => Promise<number[]>
interface Batch {
  check: RateLimitCheck
  waiters: Array<{ resolve: (counts: RateLimitCounts) => void, reject: (error: unknown) => void }>
}
interface WithScripts { tierRateLimitCheck: Script, tierQuotaConsume: Script }

/** Counters in Redis through two Lua scripts (EVALSHA): at most one round trip per request, exact across instances. */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #redis: Redis & WithScripts
  #batches = new Map<string, Batch>()
  #flushScheduled = false

  constructor (redis: Redis) {
    redis.defineCommand('tierRateLimitCheck', { numberOfKeys: 3, lua: CHECK_SCRIPT })
    redis.defineCommand('tierQuotaConsume', { numberOfKeys: 1, lua: CONSUME_SCRIPT })
    this.#redis = redis as Redis & WithScripts
  }

  /**
   * Checks of one caller with the same limits that arrive in the same event-loop turn share
   * one script call: under concurrent load a tenant costs one round trip per batch.
   */
  async check (check: RateLimitCheck): Promise<RateLimitCounts> {
    const key = `${check.windowKey}|${check.burstKey}|${check.dailyKey}|${check.windowLimit}|${check.burstLimit}|${check.dailyLimit}`
    return new Promise((resolve, reject) => {
      let batch = this.#batches.get(key)
      if (batch === undefined) {
        batch = { check, waiters: [] }
        this.#batches.set(key, batch)
      }
      batch.waiters.push({ resolve, reject })
      if (!this.#flushScheduled) {
        this.#flushScheduled = true
        setImmediate(() => { this.#flush() })
      }
    })
  }

  #flush (): void {
    const batches = this.#batches
    this.#batches = new Map()
    this.#flushScheduled = false
    for (const batch of batches.values()) void this.#decide(batch)
  }

  async #decide ({ check, waiters }: Batch): Promise<void> {
    let reply: [number, number, number, number, number]
    try {
      reply = await this.#redis.tierRateLimitCheck(
        check.windowKey, check.burstKey, check.dailyKey,
        check.windowLimit, check.burstLimit ?? -1, check.dailyLimit ?? -1, check.windowMs * 2, check.burstMs * 2, check.dailyTtlMs, waiters.length) as typeof reply
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error)
      return
    }
    const [admitted, window, burst, daily, denied] = reply
    const counted = (position: number): Omit<RateLimitCounts, 'denied'> =>
      ({ window: window + position, burst: check.burstLimit === null ? 0 : burst + position, daily: daily + position })
    waiters.forEach((waiter, index) => {
      waiter.resolve(index < admitted ? { denied: null, ...counted(index + 1) } : { denied: DENIALS[denied] ?? null, ...counted(admitted) })
    })
  }

  async consume (key: string, limit: number | null, ttlMs: number): Promise<{ allowed: boolean, count: number }> {
    const [allowed, count] = await this.#redis.tierQuotaConsume(key, limit ?? -1, ttlMs) as [number, number]
    return { allowed: allowed === 1, count }
  }

  async read (keys: string[]): Promise<number[]> {
    if (keys.length === 0) return []
    return (await this.#redis.mget(keys)).map((value) => Number(value ?? 0))
  }
}
