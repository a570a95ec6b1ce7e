import type { Registry } from 'prom-client'
import { counter, utcDay, type Clock, type KeyValueStore } from '@sentryagent/core'
import type { AnalyticsRepository, DailyMetricTotal } from './repository.js'
import type { AgentActivity, TokenTrends, UsageSummary } from './schemas.js'
import { addDays, dayNumber, daysBetween } from './dates.js'
import { InvalidDateRangeError } from './errors.js'

/** How many days back a tenant may look (its tier's analyticsHistoryDays). */
export interface HistoryLimit { historyDaysOf(tenantId: string): Promise<number> }
/** Throws the platform's 404 when the agent is not the tenant's. */
export interface AgentLookup { get(tenantId: string, agentId: string): Promise<unknown> }

export interface Period { from: string, to: string }
interface RangeRequest { from?: string | undefined, to?: string | undefined }

const DEFAULT_SPAN_DAYS = 30
const NOT_A_DAY = 'from and to must be UTC days written YYYY-MM-DD'

/**
 * The analytics API's answers, read from the daily aggregates only (cost O(days), whatever the
 * event volume) and cached per tenant and range. The cache is an optimisation: when the store
 * fails, answers come from PostgreSQL.
 */
export class AnalyticsService {
  readonly #cacheRequests

  constructor (
    private readonly repository: AnalyticsRepository,
    private readonly cache: KeyValueStore,
    private readonly history: HistoryLimit,
    private readonly agents: AgentLookup,
    private readonly clock: Clock,
    registry: Registry,
    private readonly cacheTtlSeconds: number
  ) {
    this.#cacheRequests = counter(registry, 'analytics_cache_requests_total', 'Analytics cache look-ups by result (hit, miss, error)', ['result'])
  }

  async usageSummary (tenantId: string, range: RangeRequest): Promise<UsageSummary> {
    const period = await this.#period(tenantId, range)
    return this.#cached(`usage-summary:${tenantId}:${period.from}:${period.to}`, async () => {
      const [totals, activeAgentCount, aggregatedThrough] = await Promise.all([
        this.repository.dailyTotals(tenantId, period.from, period.to),
        this.repository.activeAgentCount(tenantId, period.from, period.to),
        this.#aggregatedThrough()
      ])
      const apiCalls = perDay(totals, 'api_call')
      const days = daysBetween(period.from, period.to)
      let peakDate: string | null = null
      for (const day of days) if ((apiCalls.get(day) ?? 0) > (apiCalls.get(peakDate ?? '') ?? 0)) peakDate = day
      const totalApiCalls = sum(totals, 'api_call')
      return {
        tenantId,
        period,
        aggregatedThrough,
        summary: {
          totalApiCalls,
          totalTokenIssuances: sum(totals, 'token_issued'),
          totalCredentialRotations: sum(totals, 'credential_rotated'),
          totalDelegations: sum(totals, 'delegation_created'),
          activeAgentCount,
          averageDailyApiCalls: Math.round((totalApiCalls / days.length) * 100) / 100,
          peakDailyApiCalls: peakDate === null ? 0 : apiCalls.get(peakDate)!,
          peakDate
        }
      }
    })
  }

  async agentActivity (tenantId: string, range: RangeRequest & { agentId?: string | undefined }): Promise<AgentActivity> {
    const period = await this.#period(tenantId, range)
    if (range.agentId !== undefined) await this.agents.get(tenantId, range.agentId)
    return this.#cached(`agent-activity:${tenantId}:${period.from}:${period.to}:${range.agentId ?? '*'}`, async () => {
      const [cells, aggregatedThrough] = await Promise.all([
        this.repository.agentDayCounts(tenantId, period.from, period.to, 'api_call', range.agentId),
        this.#aggregatedThrough()
      ])
      const days = daysBetween(period.from, period.to)
      const column = new Map(days.map((day, index) => [day, index]))
      const rows = new Map<string, number[]>()
      for (const cell of cells) {
        let counts = rows.get(cell.agentId)
        if (counts === undefined) rows.set(cell.agentId, counts = days.map(() => 0))
        counts[column.get(cell.date)!] = cell.count
      }
      const agents = [...rows].map(([agentId, counts]) => ({ agentId, counts, total: counts.reduce((a, b) => a + b, 0) }))
      agents.sort((a, b) => b.total - a.total || a.agentId.localeCompare(b.agentId))
      return { tenantId, period, aggregatedThrough, metric: 'api_call' as const, days, agents }
    })
  }

  async tokenTrends (tenantId: string, range: RangeRequest): Promise<TokenTrends> {
    const period = await this.#period(tenantId, range)
    return this.#cached(`token-trends:${tenantId}:${period.from}:${period.to}`, async () => {
      const [totals, aggregatedThrough] = await Promise.all([
        this.repository.dailyTotals(tenantId, period.from, period.to),
        this.#aggregatedThrough()
      ])
      const tokens = perDay(totals, 'token_issued')
      const rotations = perDay(totals, 'credential_rotated')
      const data = daysBetween(period.from, period.to)
        .map((date) => ({ date, tokensIssued: tokens.get(date) ?? 0, credentialRotations: rotations.get(date) ?? 0 }))
      return { tenantId, period, aggregatedThrough, data }
    })
  }

  /** Validates the range: real days, from ≤ to ≤ today, within the tier's history. */
  async #period (tenantId: string, range: RangeRequest): Promise<Period> {
    const today = utcDay(this.clock.now())
    const to = range.to ?? addDays(today, -1)
    // Checked before the default `from` is counted back from it.
    const toNumber = dayNumber(to)
    if (toNumber === undefined) throw new InvalidDateRangeError(NOT_A_DAY)
    const from = range.from ?? addDays(to, 1 - DEFAULT_SPAN_DAYS)
    const fromNumber = dayNumber(from)
    if (fromNumber === undefined) throw new InvalidDateRangeError(NOT_A_DAY)
    if (fromNumber > toNumber) throw new InvalidDateRangeError('from must not be after to')
    if (toNumber > dayNumber(today)!) throw new InvalidDateRangeError('to must not be in the future')
    const historyDays = await this.history.historyDaysOf(tenantId)
    if (dayNumber(today)! - fromNumber > historyDays) {
      const error = new InvalidDateRangeError(`your tier keeps ${historyDays} days of analytics history: from must be on or after ${addDays(today, -historyDays)}`)
      throw Object.assign(error, { details: { historyDays, earliestFrom: addDays(today, -historyDays) } })
    }
    return { from, to }
  }

  async #aggregatedThrough (): Promise<string | null> {
    const { aggregatedThrough } = await this.repository.state()
    // Another instance's clock (or a backfill) may be ahead: never claim a day that is not over.
    const yesterday = addDays(utcDay(this.clock.now()), -1)
    return aggregatedThrough === null || aggregatedThrough <= yesterday ? aggregatedThrough : yesterday
  }

  async #cached<T> (key: string, compute: () => Promise<T>): Promise<T> {
    if (this.cacheTtlSeconds === 0) return compute()
    const cacheKey = `analytics_cache:${key}`
    try {
      const hit = await this.cache.get(cacheKey)
      if (hit !== null) {
        this.#cacheRequests.inc({ result: 'hit' })
        return JSON.parse(hit) as T
      }
      this.#cacheRequests.inc({ result: 'miss' })
    } catch {
      this.#cacheRequests.inc({ result: 'error' })
      return compute()
    }
    const value = await compute()
    await this.cache.set(cacheKey, JSON.stringify(value), this.cacheTtlSeconds).catch(() => { this.#cacheRequests.inc({ result: 'error' }) })
    return value
  }
}

function perDay (totals: DailyMetricTotal[], metric: string): Map<string, number> {
  return new Map(totals.filter((total) => total.metric === metric).map((total) => [total.date, total.count]))
}

function sum (totals: DailyMetricTotal[], metric: string): number {
  return totals.reduce((total, row) => total + (row.metric === metric ? row.count : 0), 0)
}
