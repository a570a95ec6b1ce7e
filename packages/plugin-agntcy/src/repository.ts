import type { Queryable } from '@sentryagent/core'

/** An active credential as the report needs it: age and the key its DID document lists. */
export interface ActiveCredential { credentialId: string, agentId: string, signingKeyId: string, signingPublicKey: string, createdAt: Date, expiresAt: Date | null }

export interface DelegationStats { liveLinks: number, maxDepth: number | null, maxTtlSeconds: number | null }

/** The report's reads, one query per kind of thing whatever the number of agents. */
export class ReportRepository {
  constructor (private readonly db: Queryable) {}

  async activeCredentials (organizationId: string): Promise<ActiveCredential[]> {
    const { rows } = await this.db.query<{ credential_id: string, agent_id: string, signing_key_id: string, signing_public_key: string, created_at: Date, expires_at: Date | null }>(
      `SELECT c.credential_id, c.agent_id, c.signing_key_id, c.signing_public_key, c.created_at, c.expires_at
       FROM credentials c JOIN agents a ON a.agent_id = c.agent_id
       WHERE c.organization_id = $1 AND c.status = 'active' AND a.status <> 'decommissioned'
       ORDER BY c.agent_id, c.created_at DESC`, [organizationId])
    return rows.map((row) => ({
      credentialId: row.credential_id,
      agentId: row.agent_id,
      signingKeyId: row.signing_key_id,
      signingPublicKey: row.signing_public_key,
      createdAt: row.created_at,
      expiresAt: row.expires_at
    }))
  }

  /** Live delegation links (undefined when the delegation workstream's table doesn't exist). */
  async delegationStats (organizationId: string): Promise<DelegationStats | undefined> {
    const { rows: [table] } = await this.db.query<{ present: boolean }>(`SELECT to_regclass('delegation_chains') IS NOT NULL AS present`)
    if (table?.present !== true) return undefined
    const { rows: [stats] } = await this.db.query<{ live: string, max_depth: number | null, max_ttl: string | null }>(
      `SELECT count(*) AS live, max(depth) AS max_depth, max(extract(epoch FROM expires_at - issued_at)) AS max_ttl
       FROM delegation_chains
       WHERE organization_id = $1 AND revoked_at IS NULL AND credential_revoked_at IS NULL AND expires_at > now()`, [organizationId])
    return { liveLinks: Number(stats!.live), maxDepth: stats!.max_depth, maxTtlSeconds: stats!.max_ttl === null ? null : Math.round(Number(stats!.max_ttl)) }
  }
}
