import type { Registry } from 'prom-client'
import { utcDay, type Clock } from '../clock.js'
import type { UsageRepository, UsageRow } from '../repositories/usage-repository.js'
import { counter, histogram } from '../metrics.js'

export const USAGE_METRICS = ['api_call', 'token_issued', 'credential_rotated', 'delegation_created', 'delegation_verified', 'rate_limited'] as const
export type UsageMetric = typeof USAGE_METRICS[number]

export interface UsageRecorder {
  /** Counts in memory; never blocks or fails the caller. */
  increment(organizationId: string, agentId: string | null, metric: UsageMetric, by?: number): void
  flush(): Promise<void>
}

const SEPARATOR = '|'
const DAY_MS = 86_400_000

/**
 * Aggregates usage per {tenant, agent, metric, UTC day} in memory and writes the totals
 * in one batch. A failed flush keeps its counts for the next one, so nothing is lost.
 */
export class UsageCounter implements UsageRecorder {
  #counts = new Map<string, number>()
  #flushing: Promise<void> | undefined
  // Every request counts: the day's text is made once a day, not once a call.
  #day = { start: 0, end: 0, text: '' }
  readonly #flushedRows
  readonly #flushDuration
  readonly #flushFailures

  constructor (private readonly repository: UsageRepository, private readonly clock: Clock, registry: Registry) {
    this.#flushedRows = counter(registry, 'usage_flushed_rows_total', 'Usage rows written to usage_events')
    this.#flushDuration = histogram(registry, 'usage_flush_duration_seconds', 'Time to write one usage flush')
    this.#flushFailures = counter(registry, 'usage_flush_failures_total', 'Usage flushes that failed and were retained')
  }

  increment (organizationId: string, agentId: string | null, metric: UsageMetric, by = 1): void {
    const key = `${organizationId}${SEPARATOR}${agentId ?? ''}${SEPARATOR}${metric}${SEPARATOR}${this.#today()}`
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + by)
  }

  async flush (): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing
    if (this.#counts.size === 0) return
    this.#flushing = this.#write()
    try {
      await this.#flushing
    } finally {
      this.#flushing = undefined
    }
  }

  async #write (): Promise<void> {
    const batch = this.#counts
    this.#counts = new Map()
    const rows: UsageRow[] = [...batch].map(([key, count]) => {
      const [organizationId, agentId, metric, day] = key.split(SEPARATOR) as [string, string, string, string]
      return { organizationId, agentId: agentId === '' ? null : agentId, metric, day, count }
    })
    const stop = this.#flushDuration.startTimer()
    try {
      await this.repository.insertBatch(rows)
      this.#flushedRows.inc(rows.length)
    } catch (error) {
      this.#flushFailures.inc()
      for (const [key, count] of batch) this.#counts.set(key, (this.#counts.get(key) ?? 0) + count)
      throw error
    } finally {
      stop()
    }
  }

  #today (): string {
    const now = this.clock.now().getTime()
    if (now < this.#day.start || now >= this.#day.end) {
      const start = Math.floor(now / DAY_MS) * DAY_MS
      this.#day = { start, end: start + DAY_MS, text: utcDay(new Date(start)) }
    }
    return this.#day.text
  }
}
