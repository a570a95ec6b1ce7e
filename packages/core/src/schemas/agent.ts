import { Type, type Static } from 'typebox'
import { ListEnvelope, PageQuery, Timestamp, Uuid } from './common.js'

export const AGENT_TYPES = ['screener', 'classifier', 'orchestrator', 'extractor', 'summarizer', 'router', 'monitor', 'custom'] as const
export const DEPLOYMENT_ENVS = ['development', 'staging', 'production'] as const
export const AGENT_STATUSES = ['active', 'suspended', 'decommissioned'] as const

const AgentType = Type.Enum(AGENT_TYPES)
const DeploymentEnv = Type.Enum(DEPLOYMENT_ENVS)
const AgentStatus = Type.Enum(AGENT_STATUSES)

// Semantic Versioning 2.0.0, including pre-release and build metadata.
const SEMVER = '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$'
export const SCOPE_PATTERN = '^[a-z][a-z0-9_-]*:[a-z*][a-z0-9_*-]*$'

export const Capability = Type.String({ pattern: SCOPE_PATTERN, maxLength: 128, description: 'A `resource:action` scope the agent may hold' })

export const Agent = Type.Object({
  agentId: Uuid,
  organizationId: Uuid,
  email: Type.String({ format: 'email' }),
  agentType: AgentType,
  version: Type.String(),
  capabilities: Type.Array(Type.String()),
  owner: Type.String(),
  deploymentEnv: DeploymentEnv,
  status: AgentStatus,
  createdAt: Timestamp,
  updatedAt: Timestamp
}, { $id: 'Agent' })
export type Agent = Static<typeof Agent>

export const CreateAgentBody = Type.Object({
  email: Type.String({ format: 'email', maxLength: 254 }),
  agentType: AgentType,
  version: Type.String({ pattern: SEMVER, maxLength: 64 }),
  capabilities: Type.Array(Capability, { minItems: 1, maxItems: 64, uniqueItems: true }),
  owner: Type.String({ minLength: 1, maxLength: 128 }),
  deploymentEnv: DeploymentEnv
}, { additionalProperties: false, $id: 'CreateAgentRequest' })
export type CreateAgentBody = Static<typeof CreateAgentBody>

export const UpdateAgentBody = Type.Object({
  email: Type.Optional(CreateAgentBody.properties.email),
  agentType: Type.Optional(AgentType),
  version: Type.Optional(CreateAgentBody.properties.version),
  capabilities: Type.Optional(CreateAgentBody.properties.capabilities),
  owner: Type.Optional(CreateAgentBody.properties.owner),
  deploymentEnv: Type.Optional(DeploymentEnv),
  status: Type.Optional(Type.Enum(['active', 'suspended']))
}, { additionalProperties: false, minProperties: 1, $id: 'UpdateAgentRequest' })
export type UpdateAgentBody = Static<typeof UpdateAgentBody>

export const AgentListQuery = Type.Object({
  ...PageQuery.properties,
  status: Type.Optional(AgentStatus),
  agentType: Type.Optional(AgentType),
  deploymentEnv: Type.Optional(DeploymentEnv)
}, { additionalProperties: false })
export type AgentListQuery = Static<typeof AgentListQuery>

export const AgentList = ListEnvelope(Agent, 'AgentList')
export const AgentIdParams = Type.Object({ agentId: Uuid })
