import { withTransaction, type Database, type Tier } from '@sentryagent/core'
import { dayNumber } from './dates.js'

// Shared by every instance: two runs of the same day take turns instead of interleaving.
const DAY_LOCK_NAMESPACE = 0x5e4a7a1

export interface AggregationState {
  /** The database's now() minus a margin: events recorded before it are committed and visible. */
  safePoint: Date
  scannedThrough: Date
  aggregatedThrough: string | null
}

export interface DailyMetricTotal { date: string, metric: string, count: number }
export interface AgentDayCount { agentId: string, date: string, count: number }

/** The SQL of analytics: aggregation from usage_events, and range reads of the aggregates. */
export class AnalyticsRepository {
  constructor (private readonly db: Database) {}

  async state (): Promise<AggregationState> {
    const { rows } = await this.db.query<{ safe_point: Date, scanned_through: Date, aggregated_through: string | null }>(
      `SELECT now() - interval '1 minute' AS safe_point, scanned_through, aggregated_through::text
       FROM analytics_aggregation_state`)
    const row = rows[0]!
    return { safePoint: row.safe_point, scannedThrough: row.scanned_through, aggregatedThrough: row.aggregated_through }
  }

  /** Closed days (before `today`) that gained events since `since`. Uses the recorded_at index. */
  async daysTouchedSince (since: Date, today: string): Promise<string[]> {
    const { rows } = await this.db.query<{ day: string }>(
      `SELECT DISTINCT usage_date::text AS day FROM usage_events
       WHERE recorded_at >= $1 AND usage_date < $2::date ORDER BY 1`, [since, today])
    return rows.map((row) => row.day)
  }

  /** The earliest event recorded since `since` for a day still open: the next run must look at it again. */
  async earliestOpenDayEvent (since: Date, today: string): Promise<Date | null> {
    const { rows } = await this.db.query<{ earliest: Date | null }>(
      'SELECT min(recorded_at) AS earliest FROM usage_events WHERE recorded_at >= $1 AND usage_date >= $2::date', [since, today])
    return rows[0]!.earliest
  }

  /**
   * Rolls one day up in one transaction: the day's totals replace (never add to) its rows, so
   * a rerun or a concurrent run gives the same rows, and a failure leaves none of them changed.
   */
  async aggregateDay (day: string): Promise<number> {
    return withTransaction(this.db, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [DAY_LOCK_NAMESPACE, dayNumber(day)])
      const { rows } = await tx.query<{ rows: number }>(
        `WITH totals AS (
           SELECT organization_id, agent_id, metric, sum(count)::bigint AS count
           FROM usage_events WHERE usage_date = $1::date GROUP BY organization_id, agent_id, metric
         ), upserted AS (
           INSERT INTO analytics_daily_aggregates (tenant_id, agent_id, date, metric_type, count)
           SELECT organization_id, agent_id, $1::date, metric, count FROM totals
           ON CONFLICT ON CONSTRAINT analytics_daily_aggregates_key
           DO UPDATE SET count = EXCLUDED.count, aggregated_at = now()
           RETURNING 1
         )
         SELECT count(*)::integer AS rows FROM upserted`, [day])
      return rows[0]!.rows
    })
  }

  /** Moves the marks forward only: a slower concurrent run never moves them back. */
  async advance (scannedThrough: Date, aggregatedThrough: string): Promise<void> {
    await this.db.query(
      `UPDATE analytics_aggregation_state
       SET scanned_through = GREATEST(scanned_through, $1),
           aggregated_through = GREATEST(aggregated_through, $2::date)`, [scannedThrough, aggregatedThrough])
  }

  async dailyTotals (tenantId: string, from: string, to: string): Promise<DailyMetricTotal[]> {
    const { rows } = await this.db.query<{ date: string, metric: string, count: string }>(
      `SELECT date::text AS date, metric_type AS metric, sum(count)::bigint AS count
       FROM analytics_daily_aggregates WHERE tenant_id = $1 AND date BETWEEN $2::date AND $3::date
       GROUP BY date, metric_type`, [tenantId, from, to])
    return rows.map((row) => ({ date: row.date, metric: row.metric, count: Number(row.count) }))
  }

  async activeAgentCount (tenantId: string, from: string, to: string): Promise<number> {
    const { rows } = await this.db.query<{ agents: number }>(
      `SELECT count(DISTINCT agent_id)::integer AS agents FROM analytics_daily_aggregates
       WHERE tenant_id = $1 AND date BETWEEN $2::date AND $3::date AND agent_id IS NOT NULL`, [tenantId, from, to])
    return rows[0]!.agents
  }

  async agentDayCounts (tenantId: string, from: string, to: string, metric: string, agentId?: string): Promise<AgentDayCount[]> {
    const { rows } = await this.db.query<{ agent_id: string, date: string, count: string }>(
      `SELECT agent_id, date::text AS date, count FROM analytics_daily_aggregates
       WHERE tenant_id = $1 AND date BETWEEN $2::date AND $3::date AND metric_type = $4
         AND agent_id IS NOT NULL AND ($5::uuid IS NULL OR agent_id = $5::uuid)`, [tenantId, from, to, metric, agentId ?? null])
    return rows.map((row) => ({ agentId: row.agent_id, date: row.date, count: Number(row.count) }))
  }

  /** The tenant's tier straight from PostgreSQL, for when the tier cache (Redis) is away. */
  async tierOf (tenantId: string): Promise<Tier | undefined> {
    const { rows } = await this.db.query<{ tier: Tier }>('SELECT tier FROM tenant_subscriptions WHERE organization_id = $1', [tenantId])
    return rows[0]?.tier
  }
}
