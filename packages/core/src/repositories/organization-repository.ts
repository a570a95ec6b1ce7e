import type { Queryable } from '../storage/database.js'

export type Tier = 'free' | 'pro' | 'enterprise'

export interface Organization {
  organizationId: string
  name: string
  status: 'active' | 'suspended'
  tier: Tier
  createdAt: string
}

interface OrganizationRow {
  organization_id: string
  name: string
  status: Organization['status']
  tier: Tier
  created_at: Date
}

function toOrganization (row: OrganizationRow): Organization {
  return { organizationId: row.organization_id, name: row.name, status: row.status, tier: row.tier, createdAt: row.created_at.toISOString() }
}

export class OrganizationRepository {
  constructor (private readonly db: Queryable) {}

  async insert (organizationId: string, name: string, tier: Tier, db: Queryable = this.db): Promise<Organization> {
    await db.query('INSERT INTO organizations (organization_id, name) VALUES ($1, $2)', [organizationId, name])
    await db.query('INSERT INTO tenant_subscriptions (organization_id, tier) VALUES ($1, $2)', [organizationId, tier])
    return (await this.find(organizationId, db))!
  }

  /** Answers false for an unknown organization. */
  async setTier (organizationId: string, tier: Tier): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE tenant_subscriptions SET tier = $2, updated_at = now() WHERE organization_id = $1', [organizationId, tier])
    return rowCount === 1
  }

  async find (organizationId: string, db: Queryable = this.db): Promise<Organization | undefined> {
    const { rows } = await db.query<OrganizationRow>(
      `SELECT o.organization_id, o.name, o.status, s.tier, o.created_at
       FROM organizations o JOIN tenant_subscriptions s USING (organization_id) WHERE o.organization_id = $1`, [organizationId])
    return rows[0] === undefined ? undefined : toOrganization(rows[0])
  }
}
