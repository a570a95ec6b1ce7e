import type { Cluster, Redis } from 'ioredis'
import type { RateLimitStore } from './rate-limit-store.js'
import { InvalidOptionError } from './errors.js'

export type RedisFailurePolicy = 'open' | 'closed'

export interface TierLimitsOptions {
  /** Redis shared by every instance; without it (and without `store`) counters live in memory (one instance). */
  redis?: Redis | Cluster
  /** Counters to use instead of the ones built from `redis`. */
  store?: RateLimitStore
  /** false: no request limiter (quotas on agents and tokens still hold, /tiers/status still works). */
  rateLimit?: boolean
  /** Limit per minute for unauthenticated requests, per client address. */
  anonymousPerMinute?: number
  /** Where a limited tenant can move up; echoed in 429 and quota errors. */
  upgradeUrl?: string
  /** When the counters can't be reached in time: let requests through (open) or answer 503 (closed). */
  redisFailure?: RedisFailurePolicy
  /** How long one round trip to the counters may take (from when it is sent) before the failure policy applies. */
  decisionTimeoutMs?: number
}

export const DEFAULTS = {
  rateLimit: true,
  anonymousPerMinute: 600,
  upgradeUrl: '/api/v1/billing/upgrade',
  redisFailure: 'open' as RedisFailurePolicy,
  decisionTimeoutMs: 50
}

export type ResolvedTierLimitsOptions = typeof DEFAULTS & Pick<TierLimitsOptions, 'redis' | 'store'>

export function resolveOptions (options: TierLimitsOptions): ResolvedTierLimitsOptions {
  const resolved: ResolvedTierLimitsOptions = {
    ...DEFAULTS,
    ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as TierLimitsOptions
  }
  if (typeof resolved.rateLimit !== 'boolean') throw new InvalidOptionError('rateLimit must be a boolean')
  if (!Number.isInteger(resolved.anonymousPerMinute) || resolved.anonymousPerMinute < 1) throw new InvalidOptionError('anonymousPerMinute must be a positive integer')
  if (!['open', 'closed'].includes(resolved.redisFailure)) throw new InvalidOptionError('redisFailure must be open or closed')
  if (!Number.isInteger(resolved.decisionTimeoutMs) || resolved.decisionTimeoutMs < 1 || resolved.decisionTimeoutMs > 10_000) {
    throw new InvalidOptionError('decisionTimeoutMs must be an integer between 1 and 10000')
  }
  if (typeof resolved.upgradeUrl !== 'string' || resolved.upgradeUrl === '') throw new InvalidOptionError('upgradeUrl must be a non-empty URL or path')
  return resolved
}
