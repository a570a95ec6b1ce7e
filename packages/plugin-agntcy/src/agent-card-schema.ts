import { Type, type Static } from 'typebox'

/**
 * The A2A v1.0 AgentCard as this plugin serves it: the proto-JSON (camelCase) shape of
 * `lf.a2a.v1.AgentCard`, closed like the published JSON Schema (unknown fields refused), with
 * the fields the v1.0.1 proto marks REQUIRED required. Only the parts our cards use are
 * spelled out; the interoperability tests check it against the official schema files.
 */
const strict = { additionalProperties: false } as const
const NonEmpty = Type.String({ minLength: 1 })
const Url = Type.String({ format: 'uri', minLength: 1 })
const MediaTypes = Type.Array(NonEmpty, { minItems: 1 })

export const AgentInterface = Type.Object({
  url: Url,
  protocolBinding: NonEmpty,
  protocolVersion: NonEmpty,
  tenant: Type.Optional(NonEmpty)
}, { ...strict, $id: 'A2AAgentInterface' })

export const AgentExtension = Type.Object({
  uri: NonEmpty,
  description: Type.Optional(Type.String()),
  required: Type.Optional(Type.Boolean()),
  params: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
}, { ...strict, $id: 'A2AAgentExtension' })

export const AgentSkill = Type.Object({
  id: NonEmpty,
  name: NonEmpty,
  description: NonEmpty,
  tags: Type.Array(NonEmpty, { minItems: 1 }),
  examples: Type.Optional(Type.Array(Type.String())),
  inputModes: Type.Optional(MediaTypes),
  outputModes: Type.Optional(MediaTypes)
}, { ...strict, $id: 'A2AAgentSkill' })

const ClientCredentialsFlow = Type.Object({
  tokenUrl: Url,
  refreshUrl: Type.Optional(Url),
  scopes: Type.Record(Type.String(), Type.String())
}, strict)

export const SecurityScheme = Type.Object({
  oauth2SecurityScheme: Type.Object({
    description: Type.Optional(Type.String()),
    flows: Type.Object({ clientCredentials: ClientCredentialsFlow }, strict),
    oauth2MetadataUrl: Type.Optional(Url)
  }, strict)
}, { ...strict, $id: 'A2ASecurityScheme', description: 'Only the OAuth 2.0 client-credentials variant is served' })

export const SecurityRequirement = Type.Object({
  schemes: Type.Record(Type.String(), Type.Object({ list: Type.Array(Type.String()) }, strict))
}, { ...strict, $id: 'A2ASecurityRequirement' })

export const AgentCardSignature = Type.Object({
  protected: NonEmpty,
  signature: NonEmpty,
  header: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
}, { ...strict, $id: 'A2AAgentCardSignature' })

export const AgentCard = Type.Object({
  name: NonEmpty,
  description: NonEmpty,
  supportedInterfaces: Type.Array(AgentInterface, { minItems: 1 }),
  provider: Type.Optional(Type.Object({ url: Url, organization: NonEmpty }, strict)),
  version: NonEmpty,
  documentationUrl: Type.Optional(Url),
  capabilities: Type.Object({
    streaming: Type.Optional(Type.Boolean()),
    pushNotifications: Type.Optional(Type.Boolean()),
    extensions: Type.Optional(Type.Array(AgentExtension)),
    extendedAgentCard: Type.Optional(Type.Boolean())
  }, strict),
  securitySchemes: Type.Optional(Type.Record(Type.String(), SecurityScheme)),
  securityRequirements: Type.Optional(Type.Array(SecurityRequirement)),
  defaultInputModes: MediaTypes,
  defaultOutputModes: MediaTypes,
  skills: Type.Array(AgentSkill, { minItems: 1 }),
  signatures: Type.Optional(Type.Array(AgentCardSignature)),
  iconUrl: Type.Optional(Url)
}, { ...strict, $id: 'A2AAgentCard', description: 'A2A protocol v1.0 AgentCard' })
export type AgentCard = Static<typeof AgentCard>

/** The AgentCard fields the A2A v1.0.1 proto marks REQUIRED. */
export const REQUIRED_CARD_FIELDS = ['name', 'description', 'supportedInterfaces', 'version', 'capabilities', 'defaultInputModes', 'defaultOutputModes', 'skills'] as const
