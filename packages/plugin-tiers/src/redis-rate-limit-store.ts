import type { Cluster, Redis } from 'ioredis'
import { StoreUnavailableError } from './round-trip.js'
import { DENIALS, type RateLimitCheck, type RateLimitCounts, type RateLimitLeaseRequest, type RateLimitStore } from './rate-limit-store.js'

// Decides a batch of n requests of one caller at once, exactly as n sequential checks would:
// the first k are admitted (k bounded by what is left in each window), the rest refused for
// the first limit that binds (the daily one first, so that a 429 names the longest wait), and
// refused requests consume nothing. -1 means no limit. When the whole batch passes it may also
// reserve up to ARGV[8] spare units (at most half of what is then left, so that other instances
// keep the other half). First it hands back ARGV[9] units reserved before and unused to
// KEYS[4..6] (KEYS[5] only when ARGV[10] is 1), never below zero nor to an expired counter.
const CHECK_SCRIPT = `
local limit, burst, daily, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[7])
local want, refund = tonumber(ARGV[8]), tonumber(ARGV[9])
if refund > 0 then
  local function give (key)
    local current = tonumber(redis.call('GET', key) or '0')
    if current > 0 then redis.call('DECRBY', key, math.min(current, refund)) end
  end
  give(KEYS[4])
  if ARGV[10] == '1' then give(KEYS[5]) end
  give(KEYS[6])
end
local w = tonumber(redis.call('GET', KEYS[1]) or '0')
local b = burst >= 0 and tonumber(redis.call('GET', KEYS[2]) or '0') or 0
local d = tonumber(redis.call('GET', KEYS[3]) or '0')
local room = limit - w
if burst >= 0 then room = math.min(room, burst - b) end
if daily >= 0 then room = math.min(room, daily - d) end
room = math.max(room, 0)
local k = math.min(n, room)
local spare = 0
if k == n and want > 0 then spare = math.min(want, math.floor((room - n) / 2)) end
local counted = k + spare
local function count (key, ttl)
  if redis.call('INCRBY', key, counted) == counted then redis.call('PEXPIRE', key, ttl) end
end
if counted > 0 then
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
return { k, w, b, d, denied, spare }`

const CONSUME_SCRIPT = `
local limit = tonumber(ARGV[1])
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if limit >= 0 and count >= limit then return { 0, count } end
count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return { 1, count }`

type Script = (...args: Array<string | number>) => Promise<number[]>
interface WithScripts { tierRateLimitCheck: Script, tierQuotaConsume: Script }
type Client = (Redis | Cluster) & WithScripts

/**
 * Counters in Redis through two Lua scripts (EVALSHA): one round trip per decision, exact across
 * instances. A connection that is not ready fails at once rather than queue the command. On a
 * Redis Cluster every key of one call must share a slot: the service tags them by caller.
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #redis: Client

  get #connected (): Client {
    if (this.#redis.status !== 'ready') throw new StoreUnavailableError(`the counters' Redis connection is ${this.#redis.status}`)
    return this.#redis
  }

  constructor (redis: Redis | Cluster) {
    redis.defineCommand('tierRateLimitCheck', { numberOfKeys: 6, lua: CHECK_SCRIPT })
    redis.defineCommand('tierQuotaConsume', { numberOfKeys: 1, lua: CONSUME_SCRIPT })
    this.#redis = redis as Client
  }

  async check (check: RateLimitCheck, requests: number, lease?: RateLimitLeaseRequest): Promise<RateLimitCounts> {
    const refund = lease?.refund
    const [admitted, window, burst, daily, denied, spare] = await this.#connected.tierRateLimitCheck(
      check.windowKey, check.burstKey, check.dailyKey,
      refund?.windowKey ?? check.windowKey, refund?.burstKey ?? check.burstKey, refund?.dailyKey ?? check.dailyKey,
      check.windowLimit, check.burstLimit ?? -1, check.dailyLimit ?? -1, check.windowMs * 2, check.burstMs * 2, check.dailyTtlMs, requests,
      lease?.spare ?? 0, refund?.units ?? 0, refund?.burstKey == null ? 0 : 1) as [number, number, number, number, number, number]
    return { admitted, denied: DENIALS[denied] ?? null, window, burst, daily, spare }
  }

  async consume (key: string, limit: number | null, ttlMs: number): Promise<{ allowed: boolean, count: number }> {
    const [allowed, count] = await this.#connected.tierQuotaConsume(key, limit ?? -1, ttlMs) as [number, number]
    return { allowed: allowed === 1, count }
  }

  async read (keys: string[]): Promise<number[]> {
    if (keys.length === 0) return []
    return (await this.#redis.mget(keys)).map((value) => Number(value ?? 0))
  }
}
