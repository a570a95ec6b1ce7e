import { withTransaction, type Database, type Queryable, type QueryText } from '@sentryagent/core'
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

export type InsertVerdict = 'inserted' | 'credential_unusable' | 'ancestor_revoked' | 'limit_reached'

// A delegator whose room others keep taking between a recount and its insert is refused after this many.
const MAX_RECOUNTS = 3

// Core's rule for a usable credential (active, unexpired), over the given parameters.
const usableCredential = (organizationId: string, credentialId: string, now: string): string =>
  `SELECT 1 FROM credentials WHERE organization_id = ${organizationId} AND credential_id = ${credentialId} AND status = 'active'
    AND (expires_at IS NULL OR expires_at > ${now})`
const CREDENTIAL_USABLE = usableCredential('$1', '$2', '$3')
const INSERT_CHECKED = `WITH credential AS (
    ${usableCredential('$2', '$12', '$16')}
  ), ancestors AS (
    SELECT chain_id, revoked_at, credential_revoked_at FROM delegation_chains
    WHERE organization_id = $2 AND chain_id = ANY($5::uuid[]) ORDER BY chain_id FOR UPDATE
  ), bound AS (
    INSERT INTO delegation_live_counts (organization_id, delegator_agent_id, upper_bound) VALUES ($2, $6, 1)
    ON CONFLICT (organization_id, delegator_agent_id) DO UPDATE SET upper_bound = delegation_live_counts.upper_bound + 1
    RETURNING upper_bound
  ), verdict AS (
    SELECT CASE
      WHEN NOT EXISTS (SELECT 1 FROM credential) THEN 'credential_unusable'
      WHEN (SELECT count(*) FROM ancestors WHERE revoked_at IS NULL AND credential_revoked_at IS NULL) <> cardinality($5::uuid[]) THEN 'ancestor_revoked'
      -- The bound counted this link too: above the cap, the live links before it may still be fewer.
      WHEN (SELECT upper_bound FROM bound) > $17 THEN 'recount'
      ELSE 'inserted' END AS verdict
  ), inserted AS (
    INSERT INTO delegation_chains (chain_id, organization_id, root_chain_id, parent_chain_id, ancestor_path, delegator_agent_id,
      delegatee_agent_id, scopes, depth, issued_at, expires_at, signing_credential_id, signing_key_id, payload_hash, signature)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp($10), to_timestamp($11), $12, $13, $14, $15
    FROM verdict WHERE verdict = 'inserted'
  )
  SELECT verdict FROM verdict`

/** SQL for `delegation_chains`; every read is tenant-scoped. */
export class DelegationRepository {
  // Every issuance runs them: prepared once per connection.
  readonly #insert: QueryText
  readonly #credentialCheck: QueryText

  constructor (private readonly db: Database, preparedStatements = false) {
    this.#insert = preparedStatements ? { name: 'sentryagent_delegation_insert_checked', text: INSERT_CHECKED } : INSERT_CHECKED
    this.#credentialCheck = preparedStatements ? { name: 'sentryagent_delegation_credential_usable', text: CREDENTIAL_USABLE } : CREDENTIAL_USABLE
  }

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
   * Locks the link and everything downstream of it until the transaction ends, in chain id order
   * as issuances lock a new link's ancestors: a revoker and an issuer never wait for each other
   * in a circle, and an issuance under this link either waits for the revocation or is seen by it.
   */
  async lockSubtree (tx: Queryable, organizationId: string, chainId: string): Promise<void> {
    await tx.query(`SELECT 1 FROM delegation_chains WHERE organization_id = $1 AND (chain_id = $2 OR ancestor_path @> ARRAY[$2]::uuid[])
      ORDER BY chain_id FOR UPDATE`, [organizationId, chainId])
  }

  /**
   * Inserts the link in one statement (no transaction held open), unless the signing credential
   * is no longer usable, an ancestor is revoked, or the delegator is at its cap of live links.
   * The ancestors' rows are locked (fixed order) while it runs: a concurrent revocation commits
   * first (and is seen here) or waits for this insert (and then cascades to it). The cap is
   * checked against the delegator's upper bound (see migration 012); at the bound, the exact
   * count decides.
   *
   * The credential is read again once the link is committed. A revocation that committed after
   * the insert's read marks the links it signed in a statement that follows its commit: that
   * statement sees this link, or this second read sees the revocation ('credential_unusable':
   * the caller marks them). No lock is taken on the credential's row: a share lock taken by each
   * issuance made every later one slower until a VACUUM, which nothing else would trigger there.
   */
  async insertChecked (link: Link, maxLive: number, now: Date): Promise<InsertVerdict> {
    for (let attempt = 1; ; attempt++) {
      const verdict = await this.#insertUnderBound(link, maxLive, now)
      if (verdict === 'inserted' && !await this.#credentialUsable(link, now)) return 'credential_unusable'
      if (verdict !== 'recount') return verdict
      // Others may fill the room a recount found; a delegator at its cap is refused soon either way.
      if (attempt === MAX_RECOUNTS || await this.#recount(link.organizationId, link.delegatorAgentId, maxLive, now) >= maxLive) return 'limit_reached'
    }
  }

  async #insertUnderBound (link: Link, maxLive: number, now: Date): Promise<InsertVerdict | 'recount'> {
    const { rows } = await this.db.query<{ verdict: InsertVerdict | 'recount' }>(this.#insert, [
      link.chainId, link.organizationId, link.rootChainId, link.parentChainId, link.ancestorPath, link.delegatorAgentId,
      link.delegateeAgentId, link.scopes, link.depth, link.issuedAt, link.expiresAt, link.signingCredentialId, link.signingKeyId,
      link.payloadHash, link.signature, now, maxLive
    ])
    return rows[0]!.verdict
  }

  async #credentialUsable (link: Link, now: Date): Promise<boolean> {
    const { rows } = await this.db.query(this.#credentialCheck, [link.organizationId, link.signingCredentialId, now])
    return rows.length > 0
  }

  /** Sets the delegator's bound to its exact live count, with its issuances held off meanwhile. */
  async #recount (organizationId: string, delegatorAgentId: string, maxLive: number, now: Date): Promise<number> {
    return withTransaction(this.db, async (tx) => {
      await tx.query('SELECT 1 FROM delegation_live_counts WHERE organization_id = $1 AND delegator_agent_id = $2 FOR UPDATE', [organizationId, delegatorAgentId])
      // A new statement, so a new snapshot: every issuance that held the lock before us is visible.
      const { rows } = await tx.query<{ live: string }>(`SELECT count(*) AS live FROM (SELECT 1 FROM delegation_chains
        WHERE organization_id = $1 AND delegator_agent_id = $2 AND revoked_at IS NULL AND credential_revoked_at IS NULL AND expires_at > $3 LIMIT $4) capped`,
      [organizationId, delegatorAgentId, now, maxLive])
      const live = Number(rows[0]!.live)
      await tx.query('UPDATE delegation_live_counts SET upper_bound = $3 WHERE organization_id = $1 AND delegator_agent_id = $2', [organizationId, delegatorAgentId, live])
      return live
    })
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

  /**
   * Marks what a credential signed; answers the ids of those links and their descendants. The
   * rows are locked first in id order, the order revocations and issuances lock theirs: a plain
   * UPDATE would take them in storage order and could deadlock with a revocation of a subtree.
   */
  async markCredentialRevoked (organizationId: string, credentialId: string, now: Date): Promise<string[]> {
    const { rows } = await this.db.query<{ chain_id: string }>(`WITH locked AS (
        SELECT chain_id FROM delegation_chains
        WHERE organization_id = $1 AND signing_credential_id = $2 AND credential_revoked_at IS NULL ORDER BY chain_id FOR UPDATE),
      signed AS (
        UPDATE delegation_chains d SET credential_revoked_at = $3 FROM locked l
        WHERE d.organization_id = $1 AND d.chain_id = l.chain_id AND d.credential_revoked_at IS NULL RETURNING d.chain_id)
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
