import { randomBytes } from 'node:crypto'
import type { CreatedOrganization, Tier } from '@sentryagent/core'
import { buildServer, readConfig } from '@sentryagent/server'

export const API = '/api/v1'

/**
 * Organizations created as the CLI's `org create` does (an operator command on the database),
 * through one in-process app with every workstream off, so that it joins no job queue.
 */
export async function createOrganizations (env: Record<string, string>, tiers: Tier[]): Promise<CreatedOrganization[]> {
  const app = await buildServer(readConfig({
    ...env,
    LOG_LEVEL: 'silent',
    A2A_ENABLED: 'false',
    ANALYTICS_ENABLED: 'false',
    TIER_RATE_LIMITING_ENABLED: 'false',
    SCAFFOLD_ENABLED: 'false',
    AGNTCY_ENABLED: 'false'
  }))
  try {
    await app.ready()
    const created: CreatedOrganization[] = []
    for (const tier of tiers) created.push(await app.sentryagent.organizations.create(`System test ${tier} ${randomBytes(3).toString('hex')}`, tier))
    return created
  } finally {
    await app.close()
  }
}

export interface Answer { status: number, body: unknown, text: string }

/** One JSON request to an instance. */
export async function call (baseUrl: string, method: string, path: string, options: { token?: string, body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = {}
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(10_000)
  })
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON (a ZIP, a page): keep the text
  }
  return { status: response.status, body, text }
}

async function expectStatus<T> (answer: Promise<Answer>, status: number, what: string): Promise<T> {
  const { status: got, text, body } = await answer
  if (got !== status) throw new Error(`${what}: expected ${status}, got ${got} ${text}`)
  return body as T
}

/** A client-credentials access token (all the agent's capabilities unless `scope` narrows them). */
export async function clientToken (baseUrl: string, clientId: string, clientSecret: string, scope?: string): Promise<string> {
  const body = { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, ...(scope === undefined ? {} : { scope }) }
  return (await expectStatus<{ access_token: string }>(call(baseUrl, 'POST', `${API}/token`, { body }), 200, 'token')).access_token
}

export interface AgentWithSecret { agentId: string, credentialId: string, clientSecret: string }

/** Registers an agent holding `capabilities` and gives it a credential. */
export async function createAgent (baseUrl: string, adminToken: string, capabilities: string[]): Promise<AgentWithSecret> {
  const { agentId } = await expectStatus<{ agentId: string }>(call(baseUrl, 'POST', `${API}/agents`, {
    token: adminToken,
    body: { email: `system-${randomBytes(6).toString('hex')}@example.test`, agentType: 'custom', version: '1.0.0', capabilities, owner: 'system-tests', deploymentEnv: 'development' }
  }), 201, 'agent registration')
  const credential = await expectStatus<{ credentialId: string, clientSecret: string }>(call(baseUrl, 'POST', `${API}/agents/${agentId}/credentials`, { token: adminToken }), 201, 'credential creation')
  return { agentId, credentialId: credential.credentialId, clientSecret: credential.clientSecret }
}

/** A delegation from the token's agent to `delegateeAgentId`. */
export async function delegate (baseUrl: string, delegatorToken: string, delegateeAgentId: string, scopes: string[]): Promise<{ chainId: string, delegationToken: string }> {
  return expectStatus(call(baseUrl, 'POST', `${API}/oauth2/token/delegate`, { token: delegatorToken, body: { delegateeAgentId, scopes, ttlSeconds: 600 } }), 201, 'delegation')
}
