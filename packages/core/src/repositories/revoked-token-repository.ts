import type { Queryable } from '../storage/database.js'

export class RevokedTokenRepository {
  constructor (private readonly db: Queryable) {}

  async insert (jti: string, organizationId: string, expiresAt: Date): Promise<void> {
    await this.db.query(
      'INSERT INTO revoked_tokens (jti, organization_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT (jti) DO NOTHING',
      [jti, organizationId, expiresAt])
  }

  async listUnexpired (): Promise<Array<{ jti: string, expiresAt: Date }>> {
    const { rows } = await this.db.query<{ jti: string, expires_at: Date }>(
      'SELECT jti, expires_at FROM revoked_tokens WHERE expires_at > now()')
    return rows.map((row) => ({ jti: row.jti, expiresAt: row.expires_at }))
  }
}
