import type { Agent } from '@sentryagent/core'
import type { AgentCard } from './agent-card-schema.js'

/** Why a card can't be valid, and what the tenant can do about it. */
export interface CardProblem { field: string, reason: string, remediation: string }

export type CardBuild = { card: AgentCard, problems?: undefined } | { card?: undefined, problems: CardProblem[] }

/** Builds an agent's card; the report injects its own to test what it does with a bad one. */
export interface CardBuilder { build(agent: Agent): CardBuild }

export interface CardContext {
  publicUrl: string
  apiPrefix: string
  providerName: string
  agentDid(agentId: string): string
}

/** The extension through which a card carries the agent's DID (A2A v1.0 has no top-level DID field). */
export const DID_EXTENSION_URI = 'https://sentryagent.dev/a2a/extensions/agent-did/v1'
export const SECURITY_SCHEME = 'sentryagent_oauth2'
export const A2A_PROTOCOL_VERSION = '1.0'

const patch = (field: string): string => `Set \`${field}\` with PATCH /agents/{agentId}`

/**
 * An A2A v1.0 AgentCard built from the registry only: a field the registry doesn't hold is a
 * problem to report, never a value to invent. Fields equal to their protobuf default (false,
 * empty lists) are left out, as the A2A canonical form drops them before signing.
 */
export class RegistryCardBuilder implements CardBuilder {
  readonly #tokenUrl: string
  readonly #metadataUrl: string
  readonly #apiBase: string

  constructor (private readonly context: CardContext) {
    this.#apiBase = `${context.publicUrl}${context.apiPrefix}`
    this.#tokenUrl = `${this.#apiBase}/token`
    this.#metadataUrl = `${context.publicUrl}/.well-known/oauth-authorization-server`
  }

  build (agent: Agent): CardBuild {
    const problems: CardProblem[] = []
    if (agent.status !== 'active') problems.push({ field: 'status', reason: `the agent is ${agent.status}; only active agents publish a card`, remediation: 'Reactivate the agent (PATCH status: active)' })
    if (agent.description === null) problems.push({ field: 'description', reason: 'A2A requires a description', remediation: patch('description') })
    if (agent.a2aEndpointUrl === null) problems.push({ field: 'a2aEndpointUrl', reason: 'A2A requires at least one supported interface (the agent\'s A2A endpoint)', remediation: patch('a2aEndpointUrl') })
    if (agent.skills.length === 0) problems.push({ field: 'skills', reason: 'A2A requires at least one skill', remediation: patch('skills') })
    if (agent.inputModes.length === 0) problems.push({ field: 'inputModes', reason: 'A2A requires default input modes (media types)', remediation: patch('inputModes') })
    if (agent.outputModes.length === 0) problems.push({ field: 'outputModes', reason: 'A2A requires default output modes (media types)', remediation: patch('outputModes') })
    if (problems.length > 0) return { problems }

    const did = this.context.agentDid(agent.agentId)
    return {
      card: {
        name: agent.email,
        description: agent.description!,
        supportedInterfaces: [{ url: agent.a2aEndpointUrl!, protocolBinding: 'JSONRPC', protocolVersion: A2A_PROTOCOL_VERSION }],
        provider: { url: this.context.publicUrl, organization: this.context.providerName },
        version: agent.version,
        capabilities: {
          extensions: [{
            uri: DID_EXTENSION_URI,
            description: 'The agent\'s W3C decentralized identifier (did:web) and where its DID document is served',
            params: { did, didDocumentUrl: `${this.#apiBase}/agents/${agent.agentId}/did.json` }
          }]
        },
        securitySchemes: {
          [SECURITY_SCHEME]: {
            oauth2SecurityScheme: {
              description: 'OAuth 2.0 client credentials issued by this SentryAgent instance',
              flows: { clientCredentials: { tokenUrl: this.#tokenUrl, scopes: Object.fromEntries(agent.capabilities.map((scope) => [scope, `The ${scope} scope`])) } },
              oauth2MetadataUrl: this.#metadataUrl
            }
          }
        },
        securityRequirements: [{ schemes: { [SECURITY_SCHEME]: { list: [...agent.capabilities] } } }],
        defaultInputModes: [...agent.inputModes],
        defaultOutputModes: [...agent.outputModes],
        skills: agent.skills.map((skill) => ({ id: skill.id, name: skill.name, description: skill.description, tags: [...skill.tags] }))
      }
    }
  }
}
