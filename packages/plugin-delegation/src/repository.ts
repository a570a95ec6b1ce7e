import type { Queryable } from '@sentryagent/core'
import type { Link } from './link.js'

interface LinkRow {
  chain_id: string
  organization_id: string
  root_chain_id: string
  parent_chain_id: string | null
  ancestor_path: string[]
  delegator_agent_id: string
  delegatee_agent_id: string
  scopes: string[]
  depth: number
  issued_at: string
  expires_at: string
  revoked: boolean
  credential_revoked: boolean
  signing_credential_id: string
  signing_key_id: string
  payload_hash: string
  signature: string
}

const COLUMNS = `chain_id, organization_id, root_chain_id, parent_chain_id, ancestor_path, delegator_agent_id, delegatee_agent_id,
  scopes, depth, extract(epoch FROM issued_at)::bigint AS issued_at, extract(epoch FROM expires_at)::bigint AS expires_at,
  revoked_at IS NOT NULL AS revoked, credential_revoked_at IS NOT NULL AS credential_revoked,
  signing_credential_id, signing_key_id, payload_hash, signature`

function toLink (row: LinkRow): Link {
  return {
    chainId: row.chain_id,
    organizationId: row.organization_id,
    rootChainId: row.root_chain_id,
    parentChainId: row.parent_chain_id,
    ancestorPath: row.ancestor_path,
    delegatorAgentId: row.delegator_agent_id,
    delegateeAgentId: row.delegatee_agent_id,
    scopes: row.scopes,
    depth: row.depth,
    issuedAt: Number(row.issued_at),
    expiresAt: Number(row.expires_at),
    revoked: row.revoked,
    credentialRevoked: row.credential_revoked,
    signingCredentialId: row.signing_credential_id,
    signingKeyId: row.signing_key_id,
    payloadHash: row.payload_hash,
    signature: row.signature
  }
}

/** SQL for `delegation_chains`; every read is tenant-scoped. */
export class DelegationRepository {
  constructor (private readonly db: Queryable) {}

  /** A link and the ancestors its path names, in that order (root first); empty when the link is unknown. */
  async findPath (organizationId: string, chainId: string): Promise<Link[]> {
    const { rows } = await this.db.query<LinkRow>(`SELECT ${COLUMNS} FROM delegation_chains WHERE organization_id = $1 AND (chain_id = $2
      OR chain_id = ANY((SELECT ancestor_path FROM delegation_chains WHERE organization_id = $1 AND chain_id = $2)::uuid[]))`,
    [organizationId, chainId])
    const byId = new Map(rows.map((row) => [row.chain_id, toLink(row)]))
    const leaf = byId.get(chainId)
    if (leaf === undefined) return []
    // The leaf's own record of its ancestors orders them, not their (signed, checked later) depth.
    return [...leaf.ancestorPath.map((id) => byId.get(id)), leaf].filter((link) => link !== undefined)
  }

  /**
   * Locks the links (a parent and its ancestors) until the transaction ends, in a fixed order
   * so that concurrent issuers and revokers never deadlock; a revocation waits for us or we see it.
   */
  async lockForUpdate (tx: Queryable, organizationId: string, chainIds: string[]): Promise<Link[]> {
    const { rows } = await tx.query<LinkRow>(`SELECT ${COLUMNS} FROM delegation_chains WHERE organization_id = $1 AND chain_id = ANY($2::uuid[])
      ORDER BY chain_id FOR UPDATE`, [organizationId, chainIds])
    return rows.map(toLink)
  }

  /**
   * Inserts the link in one statement, unless an ancestor is revoked or the delegator is at its
   * cap of live links. The ancestors' rows are locked (FOR UPDATE, fixed order) while it runs:
   * a concurrent revocation either commits first (and is seen here) or waits for this insert
   * (and then cascades to it). One round trip, so no transaction to hold open.
   */
  async insertChecked (link: Link, maxLive: number, now: Date): Promise<'inserted' | 'ancestor_revoked' | 'limit_reached'> {
    const { rows } = await this.db.query<{ verdict: 'inserted' | 'ancestor_revoked' | 'limit_reached' }>(`WITH ancestors AS (
        SELECT chain_id, revoked_at, credential_revoked_at FROM delegation_chains
        WHERE organization_id = $2 AND chain_id = ANY($5::uuid[]) ORDER BY chain_id FOR UPDATE
      ), live AS (
        SELECT count(*) AS n FROM (SELECT 1 FROM delegation_chains WHERE organization_id = $2 AND delegator_agent_id = $6
          AND revoked_at IS NULL AND credential_revoked_at IS NULL AND expires_at > $16 LIMIT $17) capped
      ), verdict AS (
        SELECT CASE
          WHEN (SELECT count(*) FROM ancestors WHERE revoked_at IS NULL AND credential_revoked_at IS NULL) <> cardinality($5::uuid[]) THEN 'ancestor_revoked'
          WHEN (SELECT n FROM live) >= $17 THEN 'limit_reached'
          ELSE 'inserted' END AS verdict
      ), inserted AS (
        INSERT INTO delegation_chains (chain_id, organization_id, root_chain_id, parent_chain_id, ancestor_path, delegator_agent_id,
          delegatee_agent_id, scopes, depth, issued_at, expires_at, signing_credential_id, signing_key_id, payload_hash, signature)
        SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp($10), to_timestamp($11), $12, $13, $14, $15
        FROM verdict WHERE verdict = 'inserted' RETURNING chain_id
      )
      SELECT verdict FROM verdict`, [
      link.chainId, link.organizationId, link.rootChainId, link.parentChainId, link.ancestorPath, link.delegatorAgentId,
      link.delegateeAgentId, link.scopes, link.depth, link.issuedAt, link.expiresAt, link.signingCredentialId, link.signingKeyId,
      link.payloadHash, link.signature, now, maxLive
    ])
    return rows[0]!.verdict
  }

  /** The link and everything downstream of it, root-most first. */
  async subtree (organizationId: string, chainId: string, db: Queryable = this.db): Promise<Link[]> {
    const { rows } = await db.query<LinkRow>(`SELECT ${COLUMNS} FROM delegation_chains
      WHERE organization_id = $1 AND (chain_id = $2 OR ancestor_path @> ARRAY[$2]::uuid[]) ORDER BY depth, issued_at, chain_id`, [organizationId, chainId])
    return rows.map(toLink)
  }

  /** Revokes the link and its descendants; answers the ids that were live until now. */
  async revokeSubtree (tx: Queryable, organizationId: string, chainId: string, now: Date): Promise<string[]> {
    const { rows } = await tx.query<{ chain_id: string }>(`UPDATE delegation_chains SET revoked_at = $3
      WHERE organization_id = $1 AND (chain_id = $2 OR ancestor_path @> ARRAY[$2]::uuid[]) AND revoked_at IS NULL RETURNING chain_id`,
    [organizationId, chainId, now])
    return rows.map((row) => row.chain_id)
  }

  /** Marks what a credential signed; answers the ids of those links and their descendants. */
  async markCredentialRevoked (organizationId: string, credentialId: string, now: Date): Promise<string[]> {
    const { rows } = await this.db.query<{ chain_id: string }>(`WITH signed AS (
        UPDATE delegation_chains SET credential_revoked_at = $3
        WHERE organization_id = $1 AND signing_credential_id = $2 AND credential_revoked_at IS NULL RETURNING chain_id)
      SELECT d.chain_id FROM delegation_chains d, signed s
      WHERE d.organization_id = $1 AND (d.chain_id = s.chain_id OR d.ancestor_path @> ARRAY[s.chain_id])`,
    [organizationId, credentialId, now])
    return [...new Set(rows.map((row) => row.chain_id))]
  }

  /** The newest link from `delegator` to `delegatee` that is live itself (its ancestors are checked by the caller). */
  async findLiveBetween (organizationId: string, delegatorAgentId: string, delegateeAgentId: string, now: Date): Promise<Link | undefined> {
    const { rows } = await this.db.query<LinkRow>(`SELECT ${COLUMNS} FROM delegation_chains
      WHERE organization_id = $1 AND delegator_agent_id = $2 AND delegatee_agent_id = $3 AND revoked_at IS NULL
        AND credential_revoked_at IS NULL AND expires_at > $4 ORDER BY issued_at DESC LIMIT 1`, [organizationId, delegatorAgentId, delegateeAgentId, now])
    return rows[0] === undefined ? undefined : toLink(rows[0])
  }
}
