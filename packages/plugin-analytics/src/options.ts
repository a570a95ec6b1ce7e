import type { Cluster, Redis } from 'ioredis'
import { DAILY_PATTERN } from './scheduling/schedule.js'
import { InvalidOptionError } from './errors.js'

export interface AnalyticsOptions {
  /** Where the API routes are mounted (the dashboard is always at `/dashboard`). */
  prefix?: string
  /** A Redis client to duplicate for BullMQ; without one the job runs from an in-process timer. */
  redis?: Redis | Cluster
  /** Run the aggregation job on its schedule (false: API only, e.g. the CLI's backfill). */
  schedule?: boolean
  /** Daily cron pattern `M H * * *` in UTC. */
  cron?: string
  queueName?: string
  attempts?: number
  backoffMs?: number
  /** Seconds an answer stays in Redis `analytics_cache:*`; 0 disables the cache. */
  cacheTtlSeconds?: number
  /** Serve the dashboard at `/dashboard`. */
  dashboard?: boolean
  /** Apply migration 009 (and core's, if pending) at registration. */
  migrate?: boolean
}

export const DEFAULTS = Object.freeze({
  prefix: '/api/v1',
  schedule: true,
  cron: '5 0 * * *',
  queueName: 'sentryagent-analytics',
  attempts: 5,
  backoffMs: 30_000,
  cacheTtlSeconds: 300,
  dashboard: true,
  migrate: true
})

export type ResolvedAnalyticsOptions = Required<Omit<AnalyticsOptions, 'redis'>> & { redis: Redis | Cluster | undefined }

export function resolveOptions (options: AnalyticsOptions): ResolvedAnalyticsOptions {
  const resolved: ResolvedAnalyticsOptions = { ...DEFAULTS, ...withoutUndefined(options), redis: options.redis }
  if (!DAILY_PATTERN.test(resolved.cron)) throw new InvalidOptionError(`cron must be a daily pattern "M H * * *", got "${resolved.cron}"`)
  if (!Number.isInteger(resolved.attempts) || resolved.attempts < 1) throw new InvalidOptionError('attempts must be an integer ≥ 1')
  if (!Number.isInteger(resolved.backoffMs) || resolved.backoffMs < 0) throw new InvalidOptionError('backoffMs must be an integer ≥ 0')
  if (!Number.isInteger(resolved.cacheTtlSeconds) || resolved.cacheTtlSeconds < 0) throw new InvalidOptionError('cacheTtlSeconds must be an integer ≥ 0')
  if (resolved.queueName === '' || resolved.queueName.includes(':')) throw new InvalidOptionError('queueName must be non-empty, without ":"')
  return resolved
}

function withoutUndefined<T extends object> (object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>
}
