import { hotQuery, type Queryable, type QueryText } from '../storage/database.js'
import type { Agent, AgentListQuery, AgentSkill, CreateAgentBody, UpdateAgentBody } from '../schemas/agent.js'
import { ADMIN_SCOPE } from '../auth/principal.js'

export interface UsableCredential { credentialId: string, secretDigest: Buffer, expiresAt: Date | null }

/** An agent with its active credentials: what the token endpoint authenticates against. */
export interface ClientRecord { agent: Agent, credentials: UsableCredential[] }

interface AgentRow {
  agent_id: string
  organization_id: string
  email: string
  agent_type: Agent['agentType']
  version: string
  capabilities: string[]
  owner: string
  deployment_env: Agent['deploymentEnv']
  status: Agent['status']
  description: string | null
  a2a_endpoint_url: string | null
  skills: AgentSkill[]
  input_modes: string[]
  output_modes: string[]
  is_public: boolean
  created_at: Date
  updated_at: Date
}

const COLUMNS = 'agent_id, organization_id, email, agent_type, version, capabilities, owner, deployment_env, status, ' +
  'description, a2a_endpoint_url, skills, input_modes, output_modes, is_public, created_at, updated_at'

// Body fields and the columns they update.
const UPDATABLE: Record<keyof UpdateAgentBody, string> = {
  email: 'email',
  agentType: 'agent_type',
  version: 'version',
  capabilities: 'capabilities',
  owner: 'owner',
  deploymentEnv: 'deployment_env',
  status: 'status',
  description: 'description',
  a2aEndpointUrl: 'a2a_endpoint_url',
  skills: 'skills',
  inputModes: 'input_modes',
  outputModes: 'output_modes',
  isPublic: 'is_public'
}

// jsonb columns take their value as JSON text (node-postgres would send an array as a PostgreSQL array).
const JSON_COLUMNS: ReadonlySet<string> = new Set(['skills'])

const FIND_CLIENT = `SELECT ${COLUMNS}, coalesce((
    SELECT json_agg(json_build_object('credentialId', c.credential_id, 'digest', encode(c.secret_digest, 'hex'), 'expiresAt', c.expires_at))
    FROM credentials c
    WHERE c.agent_id = agents.agent_id AND c.status = 'active'
  ), '[]') AS usable
  FROM agents WHERE agent_id = $1`

function toAgent (row: AgentRow): Agent {
  return {
    agentId: row.agent_id,
    organizationId: row.organization_id,
    email: row.email,
    agentType: row.agent_type,
    version: row.version,
    capabilities: row.capabilities,
    owner: row.owner,
    deploymentEnv: row.deployment_env,
    status: row.status,
    description: row.description,
    a2aEndpointUrl: row.a2a_endpoint_url,
    skills: row.skills,
    inputModes: row.input_modes,
    outputModes: row.output_modes,
    isPublic: row.is_public,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString()
  }
}

export class AgentRepository {
  readonly #findClient: QueryText

  constructor (private readonly db: Queryable, preparedStatements = false) {
    this.#findClient = hotQuery(preparedStatements, 'sentryagent_find_client', FIND_CLIENT)
  }

  async insert (organizationId: string, agentId: string, body: CreateAgentBody, db: Queryable = this.db): Promise<Agent> {
    const { rows } = await db.query<AgentRow>(
      `INSERT INTO agents (agent_id, organization_id, email, agent_type, version, capabilities, owner, deployment_env,
         description, a2a_endpoint_url, skills, input_modes, output_modes, is_public)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING ${COLUMNS}`,
      [agentId, organizationId, body.email, body.agentType, body.version, body.capabilities, body.owner, body.deploymentEnv,
        body.description ?? null, body.a2aEndpointUrl ?? null, JSON.stringify(body.skills ?? []), body.inputModes ?? [], body.outputModes ?? [], body.isPublic ?? false])
    return toAgent(rows[0]!)
  }

  /** Tenant-scoped lookup: another organization's agent is simply not found. */
  async find (organizationId: string, agentId: string): Promise<Agent | undefined> {
    const { rows } = await this.db.query<AgentRow>(
      `SELECT ${COLUMNS} FROM agents WHERE agent_id = $1 AND organization_id = $2`, [agentId, organizationId])
    return rows[0] === undefined ? undefined : toAgent(rows[0])
  }

  /**
   * The token endpoint's one query: a client (before its tenant is known) with the digests of
   * its active credentials. Expiry is left to the caller, so the record can be cached.
   */
  async findClient (agentId: string): Promise<ClientRecord | undefined> {
    const { rows } = await this.db.query<AgentRow & { usable: Array<{ credentialId: string, digest: string, expiresAt: string | null }> }>(
      this.#findClient, [agentId])
    const row = rows[0]
    if (row === undefined) return undefined
    return {
      agent: toAgent(row),
      credentials: row.usable.map(({ credentialId, digest, expiresAt }) => ({
        credentialId,
        secretDigest: Buffer.from(digest, 'hex'),
        expiresAt: expiresAt === null ? null : new Date(expiresAt)
      }))
    }
  }

  async list (organizationId: string, query: AgentListQuery): Promise<{ agents: Agent[], total: number }> {
    const filters = ['organization_id = $1']
    const values: unknown[] = [organizationId]
    for (const [field, column] of [['status', 'status'], ['agentType', 'agent_type'], ['deploymentEnv', 'deployment_env']] as const) {
      if (query[field] !== undefined) {
        values.push(query[field])
        filters.push(`${column} = $${values.length}`)
      }
    }
    const where = filters.join(' AND ')
    values.push(query.limit, (query.page - 1) * query.limit)
    const { rows } = await this.db.query<AgentRow & { total: string }>(
      `SELECT ${COLUMNS}, count(*) OVER () AS total FROM agents WHERE ${where}
       ORDER BY created_at DESC, agent_id LIMIT $${values.length - 1} OFFSET $${values.length}`, values)
    const total = rows[0] === undefined
      ? Number((await this.db.query<{ total: string }>(`SELECT count(*) AS total FROM agents WHERE ${where}`, values.slice(0, -2))).rows[0]!.total)
      : Number(rows[0].total)
    return { agents: rows.map(toAgent), total }
  }

  /** Every agent of the organization that is not decommissioned, in one query (reports). */
  async listCurrent (organizationId: string): Promise<Agent[]> {
    const { rows } = await this.db.query<AgentRow>(
      `SELECT ${COLUMNS} FROM agents WHERE organization_id = $1 AND status <> 'decommissioned' ORDER BY created_at, agent_id`, [organizationId])
    return rows.map(toAgent)
  }

  async update (organizationId: string, agentId: string, changes: UpdateAgentBody, db: Queryable = this.db): Promise<Agent | undefined> {
    const sets: string[] = []
    const values: unknown[] = [agentId, organizationId]
    for (const [field, value] of Object.entries(changes) as Array<[keyof UpdateAgentBody, unknown]>) {
      if (value === undefined) continue
      values.push(JSON_COLUMNS.has(field) ? JSON.stringify(value) : value)
      sets.push(`${UPDATABLE[field]} = $${values.length}`)
    }
    const { rows } = await db.query<AgentRow>(
      `UPDATE agents SET ${sets.join(', ')}, updated_at = now()
       WHERE agent_id = $1 AND organization_id = $2 AND status <> 'decommissioned' RETURNING ${COLUMNS}`, values)
    return rows[0] === undefined ? undefined : toAgent(rows[0])
  }

  async decommission (organizationId: string, agentId: string, db: Queryable = this.db): Promise<Agent | undefined> {
    const { rows } = await db.query<AgentRow>(
      `UPDATE agents SET status = 'decommissioned', updated_at = now()
       WHERE agent_id = $1 AND organization_id = $2 RETURNING ${COLUMNS}`, [agentId, organizationId])
    return rows[0] === undefined ? undefined : toAgent(rows[0])
  }

  /**
   * Holds, until the transaction ends, every other change that may take an admin away from the
   * organization: a lock on its row that agent registrations (a key share) don't wait for.
   */
  async lockAdmins (organizationId: string, tx: Queryable): Promise<void> {
    await tx.query('SELECT 1 FROM organizations WHERE organization_id = $1 FOR NO KEY UPDATE', [organizationId])
  }

  /** Whether the organization has an active admin:orgs agent, and one holding a credential usable at `now`. */
  async admins (organizationId: string, now: Date, db: Queryable = this.db): Promise<{ active: boolean, signIn: boolean }> {
    const { rows } = await db.query<{ active: boolean, sign_in: boolean }>(
      `SELECT count(*) > 0 AS active, coalesce(bool_or(c.credential_id IS NOT NULL), false) AS sign_in
       FROM agents a LEFT JOIN credentials c ON c.agent_id = a.agent_id AND c.status = 'active' AND (c.expires_at IS NULL OR c.expires_at > $3)
       WHERE a.organization_id = $1 AND a.status = 'active' AND $2 = ANY (a.capabilities)`,
      [organizationId, ADMIN_SCOPE, now])
    return { active: rows[0]!.active, signIn: rows[0]!.sign_in }
  }

  /** Agents disabled within the last `seconds`: their older tokens must stay refused after a restart. */
  async listRecentlyDisabled (seconds: number): Promise<Array<{ agentId: string, disabledAt: Date }>> {
    const { rows } = await this.db.query<{ agent_id: string, updated_at: Date }>(
      `SELECT agent_id, updated_at FROM agents
       WHERE status <> 'active' AND updated_at > now() - make_interval(secs => $1)`, [seconds])
    return rows.map((row) => ({ agentId: row.agent_id, disabledAt: row.updated_at }))
  }
}
