import type { Registry } from 'prom-client'
import { counter, histogram, utcDay, type Clock } from '@sentryagent/core'
import type { AnalyticsRepository } from './repository.js'
import { addDays, daysBetween } from './dates.js'

export interface AggregationRun {
  /** The days rolled up, oldest first. */
  days: string[]
  rows: number
}

/**
 * The aggregation job's handler: rolls every closed UTC day up into analytics_daily_aggregates.
 * A run looks at every closed day that gained events since the previous run, so days missed
 * while no worker ran are caught up, and events a late flush wrote for a rolled-up day too.
 */
export class AnalyticsAggregator {
  readonly #duration
  readonly #rows
  readonly #days

  constructor (private readonly repository: AnalyticsRepository, private readonly clock: Clock, registry: Registry) {
    this.#duration = histogram(registry, 'analytics_aggregation_duration_seconds', 'Time to roll up one day of usage events', [], [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60])
    this.#rows = counter(registry, 'analytics_aggregated_rows_total', 'Aggregate rows written (inserted or replaced)')
    this.#days = counter(registry, 'analytics_aggregated_days_total', 'Days rolled up')
  }

  /** Catch-up run: every closed day touched since the last run. */
  async run (): Promise<AggregationRun> {
    const today = utcDay(this.clock.now())
    const state = await this.repository.state()
    const days = await this.repository.daysTouchedSince(state.scannedThrough, today)
    const rows = await this.#aggregate(days)
    // Events of a day still open are read again by the next run, once that day has closed.
    const openDayEvent = await this.repository.earliestOpenDayEvent(state.scannedThrough, today)
    const scannedThrough = openDayEvent !== null && openDayEvent < state.safePoint ? openDayEvent : state.safePoint
    await this.repository.advance(scannedThrough, addDays(today, -1))
    return { days, rows }
  }

  /** Backfill: rolls up every day of the range again (the CLI's `analytics aggregate`). */
  async aggregateRange (from: string, to: string): Promise<AggregationRun> {
    const days = daysBetween(from, to)
    return { days, rows: await this.#aggregate(days) }
  }

  async #aggregate (days: string[]): Promise<number> {
    let total = 0
    for (const day of days) {
      const stop = this.#duration.startTimer()
      const rows = await this.repository.aggregateDay(day)
      stop()
      this.#rows.inc(rows)
      this.#days.inc()
      total += rows
    }
    return total
  }
}
