import type { Queryable } from '../storage/database.js'
import type { Credential } from '../schemas/credential.js'

interface CredentialRow {
  credential_id: string
  organization_id: string
  agent_id: string
  secret_digest: Buffer
  status: Credential['status']
  signing_key_id: string
  signing_public_key: string
  signing_private_key_sealed: Buffer
  created_at: Date
  expires_at: Date | null
  revoked_at: Date | null
}

export interface StoredCredential extends Credential {
  organizationId: string
  secretDigest: Buffer
  signingPublicKey: string
  sealedSigningKey: Buffer
}

export interface NewCredential {
  credentialId: string
  organizationId: string
  agentId: string
  secretDigest: Buffer
  signingKeyId: string
  signingPublicKey: string
  sealedSigningKey: Buffer
  sealingKeyId: string
  expiresAt: Date | null
}

const COLUMNS = 'credential_id, organization_id, agent_id, secret_digest, status, signing_key_id, signing_public_key, signing_private_key_sealed, created_at, expires_at, revoked_at'

function toStored (row: CredentialRow): StoredCredential {
  return {
    credentialId: row.credential_id,
    clientId: row.agent_id,
    organizationId: row.organization_id,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    signingKeyId: row.signing_key_id,
    secretDigest: row.secret_digest,
    signingPublicKey: row.signing_public_key,
    sealedSigningKey: row.signing_private_key_sealed
  }
}

/** The public view of a stored credential: no digest, no key material. */
export function publicCredential (stored: StoredCredential): Credential {
  const { credentialId, clientId, status, createdAt, expiresAt, revokedAt, signingKeyId } = stored
  return { credentialId, clientId, status, createdAt, expiresAt, revokedAt, signingKeyId }
}

export class CredentialRepository {
  constructor (private readonly db: Queryable) {}

  async insert (credential: NewCredential, db: Queryable = this.db): Promise<StoredCredential> {
    const { rows } = await db.query<CredentialRow>(
      `INSERT INTO credentials (credential_id, organization_id, agent_id, secret_digest, signing_key_id, signing_public_key, signing_private_key_sealed, sealing_key_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [credential.credentialId, credential.organizationId, credential.agentId, credential.secretDigest,
        credential.signingKeyId, credential.signingPublicKey, credential.sealedSigningKey, credential.sealingKeyId, credential.expiresAt])
    return toStored(rows[0]!)
  }

  async find (organizationId: string, agentId: string, credentialId: string): Promise<StoredCredential | undefined> {
    const { rows } = await this.db.query<CredentialRow>(
      `SELECT ${COLUMNS} FROM credentials WHERE credential_id = $1 AND agent_id = $2 AND organization_id = $3`,
      [credentialId, agentId, organizationId])
    return rows[0] === undefined ? undefined : toStored(rows[0])
  }

  /** The agent's newest credential that is active and unexpired at `now`. */
  async findNewestUsable (organizationId: string, agentId: string, now: Date): Promise<StoredCredential | undefined> {
    const { rows } = await this.db.query<CredentialRow>(
      `SELECT ${COLUMNS} FROM credentials
       WHERE agent_id = $1 AND organization_id = $2 AND status = 'active' AND (expires_at IS NULL OR expires_at > $3)
       ORDER BY created_at DESC, credential_id LIMIT 1`, [agentId, organizationId, now])
    return rows[0] === undefined ? undefined : toStored(rows[0])
  }

  async findById (organizationId: string, credentialId: string): Promise<StoredCredential | undefined> {
    const { rows } = await this.db.query<CredentialRow>(
      `SELECT ${COLUMNS} FROM credentials WHERE credential_id = $1 AND organization_id = $2`, [credentialId, organizationId])
    return rows[0] === undefined ? undefined : toStored(rows[0])
  }

  async list (organizationId: string, agentId: string, page: number, limit: number): Promise<{ credentials: StoredCredential[], total: number }> {
    const { rows } = await this.db.query<CredentialRow & { total: string }>(
      `SELECT ${COLUMNS}, count(*) OVER () AS total FROM credentials WHERE agent_id = $1 AND organization_id = $2
       ORDER BY created_at DESC, credential_id LIMIT $3 OFFSET $4`, [agentId, organizationId, limit, (page - 1) * limit])
    return { credentials: rows.map(toStored), total: Number(rows[0]?.total ?? 0) }
  }

  /** A page of active credentials whose signing key another sealing key sealed (or an unrecorded one), in id order after `afterId`. */
  async listSealedElsewhere (sealingKeyId: string, afterId: string, limit: number): Promise<Array<{ credentialId: string, sealedSigningKey: Buffer }>> {
    const { rows } = await this.db.query<{ credential_id: string, signing_private_key_sealed: Buffer }>(
      `SELECT credential_id, signing_private_key_sealed FROM credentials
       WHERE status = 'active' AND sealing_key_id IS DISTINCT FROM $1 AND credential_id > $2 ORDER BY credential_id LIMIT $3`,
      [sealingKeyId, afterId, limit])
    return rows.map((row) => ({ credentialId: row.credential_id, sealedSigningKey: row.signing_private_key_sealed }))
  }

  /** Replaces a sealed signing key and records its sealing key, unless another instance changed it first. */
  async replaceSealed (credentialId: string, previous: Buffer, sealed: Buffer, sealingKeyId: string): Promise<boolean> {
    const { rowCount } = await this.db.query(`UPDATE credentials SET signing_private_key_sealed = $3, sealing_key_id = $4
      WHERE credential_id = $1 AND signing_private_key_sealed = $2`, [credentialId, previous, sealed, sealingKeyId])
    return rowCount === 1
  }

  /** Marks a credential revoked; answers undefined when it was not active. */
  async revoke (organizationId: string, credentialId: string, db: Queryable = this.db): Promise<StoredCredential | undefined> {
    const { rows } = await db.query<CredentialRow>(
      `UPDATE credentials SET status = 'revoked', revoked_at = now()
       WHERE credential_id = $1 AND organization_id = $2 AND status = 'active' RETURNING ${COLUMNS}`,
      [credentialId, organizationId])
    return rows[0] === undefined ? undefined : toStored(rows[0])
  }
}
