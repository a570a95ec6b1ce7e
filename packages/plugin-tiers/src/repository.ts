import type { Queryable } from '@sentryagent/core'
import type { RegisteredAgentCounter } from './service.js'

/** Agents that count against the tier's maximum: every one not decommissioned. */
export class AgentCountRepository implements RegisteredAgentCounter {
  constructor (private readonly db: Queryable) {}

  async countRegistered (organizationId: string): Promise<number> {
    const { rows } = await this.db.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM agents WHERE organization_id = $1 AND status <> 'decommissioned'", [organizationId])
    return rows[0]!.count
  }
}
