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

// Media types (RFC 6838 shape, parameters allowed), as A2A input/output modes are.
const MEDIA_TYPE = '^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(?:\\s*;\\s*[A-Za-z0-9!#$&^_.+-]+=(?:[A-Za-z0-9!#$&^_.+-]+|"[^"]*"))*$'
// An absolute http(s) URL without whitespace; the service checks it parses.
const HTTP_URL = '^https?://[^\\s/?#]+[^\\s]*$'

export const MediaType = Type.String({ pattern: MEDIA_TYPE, maxLength: 255, description: 'A media type such as `application/json`' })
const MediaTypes = Type.Array(MediaType, { maxItems: 32, uniqueItems: true })

export const AgentSkill = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$', maxLength: 128 }),
  name: Type.String({ minLength: 1, maxLength: 128 }),
  description: Type.String({ minLength: 1, maxLength: 2048 }),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 32, uniqueItems: true })
}, { additionalProperties: false, $id: 'AgentSkill', description: 'An A2A skill: what the agent card advertises' })
export type AgentSkill = Static<typeof AgentSkill>

/** The optional fields an A2A agent card is built from (WS6). */
const CardFields = {
  description: Type.String({ minLength: 1, maxLength: 2048 }),
  a2aEndpointUrl: Type.String({ pattern: HTTP_URL, maxLength: 2048, description: 'Where the agent serves A2A (http or https)' }),
  skills: Type.Array(AgentSkill, { maxItems: 64 }),
  inputModes: MediaTypes,
  outputModes: MediaTypes,
  isPublic: Type.Boolean({ description: 'Whether the agent card is served without a token' })
}

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
  description: Type.Union([Type.String(), Type.Null()]),
  a2aEndpointUrl: Type.Union([Type.String(), Type.Null()]),
  skills: Type.Array(AgentSkill),
  inputModes: Type.Array(Type.String()),
  outputModes: Type.Array(Type.String()),
  isPublic: Type.Boolean(),
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
  deploymentEnv: DeploymentEnv,
  description: Type.Optional(CardFields.description),
  a2aEndpointUrl: Type.Optional(CardFields.a2aEndpointUrl),
  skills: Type.Optional(CardFields.skills),
  inputModes: Type.Optional(CardFields.inputModes),
  outputModes: Type.Optional(CardFields.outputModes),
  isPublic: Type.Optional(CardFields.isPublic)
}, { additionalProperties: false, $id: 'CreateAgentRequest' })
export type CreateAgentBody = Static<typeof CreateAgentBody>

export const UpdateAgentBody = Type.Object({
  email: Type.Optional(CreateAgentBody.properties.email),
  agentType: Type.Optional(AgentType),
  version: Type.Optional(CreateAgentBody.properties.version),
  capabilities: Type.Optional(CreateAgentBody.properties.capabilities),
  owner: Type.Optional(CreateAgentBody.properties.owner),
  deploymentEnv: Type.Optional(DeploymentEnv),
  status: Type.Optional(Type.Enum(['active', 'suspended'])),
  // null clears a text field.
  description: Type.Optional(Type.Union([CardFields.description, Type.Null()])),
  a2aEndpointUrl: Type.Optional(Type.Union([CardFields.a2aEndpointUrl, Type.Null()])),
  skills: Type.Optional(CardFields.skills),
  inputModes: Type.Optional(CardFields.inputModes),
  outputModes: Type.Optional(CardFields.outputModes),
  isPublic: Type.Optional(CardFields.isPublic)
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
