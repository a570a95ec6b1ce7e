/** One caller's counters: a window, an optional burst window, the UTC day. Keys never hold the tier. */
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

/**
 * Units an instance reserved before and did not use: handed back (never below zero, and only
 * to counters that still exist) before the next check. `burstKey` null: none to hand back there.
 */
export interface RateLimitRefund {
  windowKey: string
  burstKey: string | null
  dailyKey: string
  units: number
}

/** What to reserve beyond the batch, and what to hand back first. */
export interface RateLimitLeaseRequest {
  /** Units wanted beyond the batch; granted only when the whole batch passes, at most half of what is left. */
  spare: number
  refund?: RateLimitRefund
}

/**
 * A batch of requests decided at once, exactly as that many sequential checks would be: the
 * first `admitted` pass and are counted, the rest are refused for `denied` and consume nothing.
 */
export interface RateLimitCounts {
  admitted: number
  denied: Denial | null
  /** The counts before the batch. */
  window: number
  burst: number
  daily: number
  /** Units reserved beyond the batch (counted like admitted ones, for the caller to spend). */
  spare: number
}

/**
 * Where the counters live: Redis shared by every instance, or memory in the embedded mode.
 * Every operation is one atomic round trip.
 */
export interface RateLimitStore {
  /** Decides `requests` requests of one caller (at least 1), with a lease request when given. */
  check(check: RateLimitCheck, requests: number, lease?: RateLimitLeaseRequest): Promise<RateLimitCounts>
  /** Adds one to `key` unless it reached `limit` (null: no limit). */
  consume(key: string, limit: number | null, ttlMs: number): Promise<{ allowed: boolean, count: number }>
  read(keys: string[]): Promise<number[]>
}

export const DENIALS: ReadonlyArray<Denial | null> = [null, 'window', 'burst', 'daily']
