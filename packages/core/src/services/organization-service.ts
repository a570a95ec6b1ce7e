import { randomUUID } from 'node:crypto'
import type { OrganizationRepository, Organization, Tier } from '../repositories/organization-repository.js'
import type { AgentRepository } from '../repositories/agent-repository.js'
import type { CredentialService } from './credential-service.js'
import type { AuditLog } from './audit-log.js'
import { PLATFORM_SCOPES } from '../auth/principal.js'
import { withTransaction, type Database } from '../storage/database.js'
import { OrganizationNotFoundError } from '../errors.js'
import type { TierDirectory } from './tier-directory.js'

export interface CreatedOrganization {
  organizationId: string
  agentId: string
  clientId: string
  clientSecret: string
}

export class OrganizationService {
  constructor (
    private readonly db: Database,
    private readonly organizations: OrganizationRepository,
    private readonly agents: AgentRepository,
    private readonly credentials: CredentialService,
    private readonly audit: AuditLog,
    private readonly tiers: TierDirectory
  ) {}

  /** A new tenant with its first admin agent, which holds every platform scope. */
  async create (name: string, tier: Tier): Promise<CreatedOrganization> {
    const organizationId = randomUUID()
    const agentId = randomUUID()
    await withTransaction(this.db, async (tx) => {
      await this.organizations.insert(organizationId, name, tier, tx)
      await this.agents.insert(organizationId, agentId, {
        email: `admin@${organizationId}.sentryagent.invalid`,
        agentType: 'orchestrator',
        version: '1.0.0',
        capabilities: [...PLATFORM_SCOPES],
        owner: name,
        deploymentEnv: 'production'
      }, tx)
    })
    await this.audit.record({ organizationId, agentId: null, action: 'organization.created', details: { name, tier, adminAgentId: agentId } })
    const credential = await this.credentials.create({ organizationId, agentId: null }, agentId, null)
    return { organizationId, agentId, clientId: agentId, clientSecret: credential.clientSecret }
  }

  /** Moves a tenant to another tier; every instance applies the new limits on its next request. */
  async changeTier (organizationId: string, tier: Tier, details: Record<string, unknown> = {}): Promise<void> {
    const previous = await this.get(organizationId)
    if (!await this.organizations.setTier(organizationId, tier)) throw new OrganizationNotFoundError(organizationId)
    await this.tiers.invalidate(organizationId)
    await this.audit.record({ organizationId, agentId: null, action: 'subscription.tier_changed', details: { ...details, from: previous.tier, to: tier } })
  }

  async get (organizationId: string): Promise<Organization> {
    const organization = await this.organizations.find(organizationId)
    if (organization === undefined) throw new OrganizationNotFoundError(organizationId)
    return organization
  }
}
