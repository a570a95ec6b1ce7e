import { randomUUID } from 'node:crypto'
import type { Registry } from 'prom-client'
import type { Agent, AgentListQuery, CreateAgentBody, UpdateAgentBody } from '../schemas/agent.js'
import type { AgentRepository } from '../repositories/agent-repository.js'
import type { AuditLog } from './audit-log.js'
import type { TokenRevocations } from './token-revocations.js'
import type { AgentCache } from './agent-cache.js'
import { ADMIN_SCOPE, type Principal } from '../auth/principal.js'
import type { AdminGuard } from './admin-guard.js'
import { AgentAlreadyExistsError, AgentNotFoundError, UnauthorizedError, ValidationError } from '../errors.js'
import { counter } from '../metrics.js'

const UNIQUE_VIOLATION = '23505'

function isUniqueViolation (error: unknown): boolean {
  return (error as { code?: string }).code === UNIQUE_VIOLATION
}

/** What the body schema can't say: skill ids are unique, the endpoint URL really parses. */
function checkCardFields (body: Pick<UpdateAgentBody, 'skills' | 'a2aEndpointUrl'>): void {
  if (body.skills !== undefined) {
    const ids = body.skills.map((skill) => skill.id)
    const repeated = ids.filter((id, index) => ids.indexOf(id) !== index)
    if (repeated.length > 0) throw new ValidationError(`skills: duplicate skill id ${repeated[0]!}`)
  }
  if (typeof body.a2aEndpointUrl === 'string' && !URL.canParse(body.a2aEndpointUrl)) {
    throw new ValidationError('a2aEndpointUrl: not a valid URL')
  }
}

export interface Actor { organizationId: string, agentId: string | null }

/** A change that can take an admin away: suspension, or a capability list without admin:orgs. */
const mayRemoveAdmin = (changes: UpdateAgentBody): boolean =>
  (changes.status !== undefined && changes.status !== 'active') || (changes.capabilities !== undefined && !changes.capabilities.includes(ADMIN_SCOPE))

/** Runs before a registration; throws to refuse it (the tiers plugin caps agents per tier). */
export type RegistrationGuard = (organizationId: string) => Promise<void>

export class AgentService {
  readonly #operations
  readonly #registrationGuards: RegistrationGuard[] = []

  constructor (
    private readonly agents: AgentRepository,
    private readonly audit: AuditLog,
    private readonly revocations: TokenRevocations,
    private readonly cache: AgentCache,
    private readonly admins: AdminGuard,
    registry: Registry
  ) {
    this.#operations = counter(registry, 'agent_operations_total', 'Agent registry operations', ['operation'])
  }

  addRegistrationGuard (guard: RegistrationGuard): void {
    this.#registrationGuards.push(guard)
  }

  async create (actor: Actor, body: CreateAgentBody): Promise<Agent> {
    checkCardFields(body)
    for (const guard of this.#registrationGuards) await guard(actor.organizationId)
    let agent: Agent
    try {
      agent = await this.agents.insert(actor.organizationId, randomUUID(), body)
    } catch (error) {
      if (isUniqueViolation(error)) throw new AgentAlreadyExistsError(body.email)
      throw error
    }
    this.#operations.inc({ operation: 'create' })
    await this.audit.record({ ...actor, action: 'agent.created', details: { targetAgentId: agent.agentId, email: agent.email } })
    return agent
  }

  /** Served from the agent cache (the hottest read); another organization's agent is not found. */
  async get (organizationId: string, agentId: string): Promise<Agent> {
    const client = await this.cache.client(agentId)
    if (client === undefined || client.agent.organizationId !== organizationId) throw new AgentNotFoundError(agentId)
    return client.agent
  }

  /** Any organization's agent, from the cache: for what is public (agent cards); callers check the tenant. */
  async lookup (agentId: string): Promise<Agent | undefined> {
    return (await this.cache.client(agentId))?.agent
  }

  /**
   * The agent when the caller may read it: a public agent (`isPublic`) for anyone, any other
   * only for its own tenant. Hidden ones answer 401 without a token and 404 with one.
   */
  async visibleTo (agentId: string, principal: Principal | null): Promise<Agent> {
    const agent = await this.lookup(agentId)
    if (agent !== undefined && (agent.isPublic || agent.organizationId === principal?.organizationId)) return agent
    if (principal === null) throw new UnauthorizedError('A bearer access token is required for this agent')
    throw new AgentNotFoundError(agentId)
  }

  async list (organizationId: string, query: AgentListQuery): Promise<{ agents: Agent[], total: number }> {
    return this.agents.list(organizationId, query)
  }

  /** Every active or suspended agent of the organization, unpaginated (compliance reports). */
  async listCurrent (organizationId: string): Promise<Agent[]> {
    return this.agents.listCurrent(organizationId)
  }

  async update (actor: Actor, agentId: string, changes: UpdateAgentBody): Promise<Agent> {
    checkCardFields(changes)
    let agent: Agent | undefined
    try {
      agent = mayRemoveAdmin(changes)
        ? await this.admins.keeping(actor.organizationId, agentId, async (tx) => this.agents.update(actor.organizationId, agentId, changes, tx))
        : await this.agents.update(actor.organizationId, agentId, changes)
    } catch (error) {
      if (isUniqueViolation(error)) throw new AgentAlreadyExistsError(changes.email ?? '')
      throw error
    }
    if (agent === undefined) throw new AgentNotFoundError(agentId)
    await this.cache.invalidate(agentId)
    if (agent.status !== 'active') await this.revocations.disableAgent(agentId)
    this.#operations.inc({ operation: 'update' })
    await this.audit.record({ ...actor, action: changes.status === 'suspended' ? 'agent.suspended' : 'agent.updated', details: { targetAgentId: agentId, changed: Object.keys(changes) } })
    return agent
  }

  /** Soft delete: the agent stays on record, its tokens stop working at once. */
  async decommission (actor: Actor, agentId: string): Promise<Agent> {
    const agent = await this.admins.keeping(actor.organizationId, agentId, async (tx) => this.agents.decommission(actor.organizationId, agentId, tx))
    if (agent === undefined) throw new AgentNotFoundError(agentId)
    await this.cache.invalidate(agentId)
    await this.revocations.disableAgent(agentId)
    this.#operations.inc({ operation: 'decommission' })
    await this.audit.record({ ...actor, action: 'agent.decommissioned', details: { targetAgentId: agentId } })
    return agent
  }
}
