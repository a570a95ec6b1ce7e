import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Clock, CoreOptions } from '@sentryagent/core'
import delegationPlugin, { type DelegationOptions } from '../src/index.js'
import { testApp, testKeys, type Teardown } from '@sentryagent/test-app'

export { testKeys, type Teardown }
export const PREFIX = '/api/v1'

/** A fresh app (core + delegation) on the test PostgreSQL and Redis, closed when the test ends. */
export async function buildApp (t: Teardown, options: DelegationOptions = {}, core: Partial<CoreOptions> = {}): Promise<FastifyInstance> {
  const { app, registerCore } = testApp(t)
  await registerCore(core)
  await app.register(delegationPlugin, { prefix: PREFIX, ...options })
  await app.ready()
  return app
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  #now: number
  constructor (start = new Date()) { this.#now = start.getTime() }
  now (): Date { return new Date(this.#now) }
  advance (seconds: number): void { this.#now += seconds * 1000 }
}

export interface TestAgent { agentId: string, credentialId: string, clientSecret: string, token: string, authorization: string }

export const CAPABILITIES = ['reports:read', 'reports:write', 'agents:read']

export async function accessToken (app: FastifyInstance, clientId: string, clientSecret: string, scope?: string): Promise<string> {
  const response = await app.inject({ method: 'POST', url: `${PREFIX}/token`, payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, ...(scope === undefined ? {} : { scope }) } })
  if (response.statusCode !== 200) throw new Error(`token request failed: ${response.statusCode} ${response.body}`)
  return response.json<{ access_token: string }>().access_token
}

/** An organization with `count` active agents, each with a credential and a token for all its capabilities. */
export async function organizationWithAgents (app: FastifyInstance, count: number, tier: 'free' | 'pro' | 'enterprise' = 'enterprise'): Promise<{ organizationId: string, admin: TestAgent, agents: TestAgent[] }> {
  const { sentryagent } = app
  const organization = await sentryagent.organizations.create(`Delegation test ${Math.random().toString(36).slice(2, 8)}`, tier)
  const actor = { organizationId: organization.organizationId, agentId: organization.agentId }
  const adminToken = await accessToken(app, organization.clientId, organization.clientSecret)
  const admin = { agentId: organization.agentId, credentialId: '', clientSecret: organization.clientSecret, token: adminToken, authorization: `Bearer ${adminToken}` }
  const agents: TestAgent[] = []
  for (let i = 0; i < count; i++) {
    const agent = await sentryagent.agents.create(actor, {
      email: `delegation-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`,
      agentType: 'custom', version: '1.0.0', capabilities: CAPABILITIES, owner: 'tests', deploymentEnv: 'development'
    })
    const credential = await sentryagent.credentials.create(actor, agent.agentId, null)
    const token = await accessToken(app, agent.agentId, credential.clientSecret)
    agents.push({ agentId: agent.agentId, credentialId: credential.credentialId, clientSecret: credential.clientSecret, token, authorization: `Bearer ${token}` })
  }
  return { organizationId: organization.organizationId, admin, agents }
}

export async function delegate (app: FastifyInstance, from: TestAgent, body: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: `${PREFIX}/oauth2/token/delegate`, headers: { authorization: from.authorization }, payload: { scopes: ['reports:read'], ttlSeconds: 3600, ...body } })
}

export interface Created { delegationToken: string, chainId: string, scopes: string[], expiresAt: string, depth: number, rootChainId: string, parentChainId: string | null }

/** A chain along `agents` (agents[0] → agents[1] → …); throws unless every link is created. */
export async function chain (app: FastifyInstance, agents: TestAgent[], scopes = ['reports:read'], ttlSeconds = 3600): Promise<Created[]> {
  const links: Created[] = []
  for (let i = 1; i < agents.length; i++) {
    const parent = links[links.length - 1]
    const response = await delegate(app, agents[i - 1]!, { delegateeAgentId: agents[i]!.agentId, scopes, ttlSeconds: ttlSeconds - i, ...(parent === undefined ? {} : { parentDelegationToken: parent.delegationToken }) })
    if (response.statusCode !== 201) throw new Error(`delegation failed: ${response.statusCode} ${response.body}`)
    links.push(response.json<Created>())
  }
  return links
}

export async function verify (app: FastifyInstance, as: TestAgent, delegationToken: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: `${PREFIX}/oauth2/token/verify-delegation`, headers: { authorization: as.authorization }, payload: { delegationToken } })
}

export async function revoke (app: FastifyInstance, as: TestAgent, chainId: string, dryRun = false): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'DELETE', url: `${PREFIX}/oauth2/token/delegate/${chainId}${dryRun ? '?dryRun=true' : ''}`, headers: { authorization: as.authorization } })
}

/** Polls `check` until it holds or `timeoutMs` passes. */
export async function eventually (check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return check()
}
