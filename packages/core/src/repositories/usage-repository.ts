import type { Queryable } from '../storage/database.js'

export interface UsageRow {
  organizationId: string
  agentId: string | null
  metric: string
  day: string
  count: number
}

export class UsageRepository {
  constructor (private readonly db: Queryable) {}

  async insertBatch (rows: UsageRow[]): Promise<void> {
    if (rows.length === 0) return
    await this.db.query(
      `INSERT INTO usage_events (organization_id, agent_id, metric, usage_date, count)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[], $5::integer[])`,
      [rows.map((r) => r.organizationId), rows.map((r) => r.agentId), rows.map((r) => r.metric), rows.map((r) => r.day), rows.map((r) => r.count)])
  }
}
