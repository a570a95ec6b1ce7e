/** One request's counters: a window, an optional burst window, the UTC day. Keys never hold the tier. */
export interface RateLimitCheck {
  windowKey: string
  windowLimit: number
  windowMs: number
  burstKey: string
  /** null: no burst limit (route overrides). */
  burstLimit: number | null
  burstMs: number
  dailyKey: string
  /** null: unlimited; the day is still counted. */
  dailyLimit: number | null
  dailyTtlMs: number
}

export type Denial = 'window' | 'burst' | 'daily'

/** Counts after the check; a denied request adds to none of them. */
export interface RateLimitCounts {
  denied: Denial | null
  window: number
  burst: number
  daily: number
}

/**
 * Where the counters live: Redis shared by every instance, or memory in the embedded mode.
 * Every operation is one atomic round trip.
 */
export interface RateLimitStore {
  check(check: RateLimitCheck): Promise<RateLimitCounts>
  /** Adds one to `key` unless it reached `limit` (null: no limit). */
  consume(key: string, limit: number | null, ttlMs: number): Promise<{ allowed: boolean, count: number }>
  read(keys: string[]): Promise<number[]>
}

export const DENIALS: ReadonlyArray<Denial | null> = [null, 'window', 'burst', 'daily']
