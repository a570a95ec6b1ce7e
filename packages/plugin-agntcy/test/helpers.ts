import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { CoreOptions, Tier } from '@sentryagent/core'
import agntcyPlugin, { type AgntcyOptions } from '../src/index.js'
import { testApp, testKeys, type Teardown } from '@sentryagent/test-app'

export { testKeys, type Teardown }
export const PREFIX = '/api/v1'
export const PUBLIC_URL = 'https://idp.example.com'

/** A fresh app (core + agntcy) on the test PostgreSQL and Redis, closed when the test ends. */
export async function buildApp (t: Teardown, options: AgntcyOptions = {}, core: Partial<CoreOptions> = {}): Promise<FastifyInstance> {
  const { app, registerCore } = testApp(t)
  await registerCore({ publicUrl: PUBLIC_URL, ...core })
  await app.register(agntcyPlugin, { prefix: PREFIX, ...options })
  await app.ready()
  return app
}

export const SKILLS = [
  { id: 'summarize', name: 'Summarize', description: 'Summarizes a document', tags: ['text', 'summary'] },
  { id: 'classify', name: 'Classify', description: 'Classifies a document', tags: ['text'] }
]

/** The registry fields that make a complete, valid card. */
export const CARD_FIELDS = {
  description: 'Summarizes and classifies documents',
  a2aEndpointUrl: 'https://agents.example.com/a2a/v1',
  skills: SKILLS,
  inputModes: ['text/plain', 'application/json'],
  outputModes: ['application/json']
}

let counter = 0
export function agentBody (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter++
  return {
    email: `agntcy-${process.pid}-${Date.now()}-${counter}@example.com`,
    agentType: 'summarizer',
    version: '1.4.0',
    capabilities: ['agents:read', 'reports:write'],
    owner: 'tests',
    deploymentEnv: 'production',
    ...overrides
  }
}

export interface Session { organizationId: string, agentId: string, authorization: string }

export async function accessToken (app: FastifyInstance, clientId: string, clientSecret: string): Promise<string> {
  const response = await app.inject({ method: 'POST', url: `${PREFIX}/token`, payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret } })
  if (response.statusCode !== 200) throw new Error(`token request failed: ${response.statusCode} ${response.body}`)
  return response.json<{ access_token: string }>().access_token
}

/** A new organization and a bearer header for its admin agent (all platform scopes). */
export async function session (app: FastifyInstance, tier: Tier = 'enterprise'): Promise<Session> {
  const organization = await app.sentryagent.organizations.create(`AGNTCY test ${Math.random().toString(36).slice(2, 8)}`, tier)
  const token = await accessToken(app, organization.clientId, organization.clientSecret)
  return { organizationId: organization.organizationId, agentId: organization.agentId, authorization: `Bearer ${token}` }
}

/** Registers an agent through the API (with a credential unless `credential` is false); answers its id. */
export async function createAgent (app: FastifyInstance, as: Session, fields: Record<string, unknown> = CARD_FIELDS, credential = true): Promise<string> {
  const created = await app.inject({ method: 'POST', url: `${PREFIX}/agents`, headers: { authorization: as.authorization }, payload: agentBody(fields) })
  if (created.statusCode !== 201) throw new Error(`agent creation failed: ${created.statusCode} ${created.body}`)
  const { agentId } = created.json<{ agentId: string }>()
  if (credential) await app.sentryagent.credentials.create({ organizationId: as.organizationId, agentId: as.agentId }, agentId, null)
  return agentId
}

export async function getCard (app: FastifyInstance, agentId: string, headers: Record<string, string> = {}, path = 'agent-card'): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url: `${PREFIX}/agents/${agentId}/${path}`, headers })
}

export async function getReport (app: FastifyInstance, as: Session, query = ''): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url: `/api/v1/agntcy/compliance-report${query}`, headers: { authorization: as.authorization } })
}
