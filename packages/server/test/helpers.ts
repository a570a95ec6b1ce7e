import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { SigningKeys, type CreatedOrganization } from '@sentryagent/core'
import { buildServer, readConfig, type BuildOptions, type ServerConfig } from '../src/index.js'
import { databaseUrl, freePort, redisUrl, waitFor } from '@sentryagent/test-support'

/** What a tap test gives a helper: somewhere to register cleanup. */
export interface Teardown { teardown(fn: () => unknown): void }

export { databaseUrl, freePort, redisUrl, waitFor }

export const testKeys = SigningKeys.generatePem('ES256')

/** A production-mode configuration on the test PostgreSQL and Redis; `env` overrides or adds variables. */
export function productionConfig (env: Record<string, string | undefined> = {}): ServerConfig {
  return readConfig({
    DATABASE_URL: databaseUrl(),
    REDIS_URL: redisUrl(),
    JWT_PRIVATE_KEY: testKeys.privateKey,
    JWT_PUBLIC_KEY: testKeys.publicKey,
    LOG_LEVEL: 'silent',
    ...env
  })
}

/** A fresh production-mode app, closed when the test ends. */
export async function buildApp (t: Teardown, env: Record<string, string | undefined> = {}, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = await buildServer(productionConfig(env), options)
  t.teardown(() => app.close())
  await app.ready()
  return app
}

/** A temporary directory, removed when the test ends. */
export async function tempDir (t: Teardown, prefix = 'sentryagent-server-'): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), prefix))
  t.teardown(() => rm(directory, { recursive: true, force: true }))
  return directory
}

export async function createOrganization (app: FastifyInstance): Promise<CreatedOrganization> {
  return app.sentryagent.organizations.create(`Server test ${Math.random().toString(36).slice(2, 8)}`, 'free')
}

/** A token through the HTTP token endpoint, as clients get it. */
export async function requestToken (app: FastifyInstance, clientId: string, clientSecret: string): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret } })
  if (response.statusCode !== 200) throw new Error(`token request failed: ${response.statusCode} ${response.body}`)
  return response.json<{ access_token: string }>().access_token
}

/** An organization and a bearer header for its admin agent (all platform scopes). */
export async function adminSession (app: FastifyInstance): Promise<CreatedOrganization & { token: string, authorization: string }> {
  const organization = await createOrganization(app)
  const token = await requestToken(app, organization.clientId, organization.clientSecret)
  return { ...organization, token, authorization: `Bearer ${token}` }
}

let emailCounter = 0
export function agentBody (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  emailCounter++
  return {
    email: `server-agent-${process.pid}-${Date.now()}-${emailCounter}@example.com`,
    agentType: 'classifier',
    version: '1.0.0',
    capabilities: ['agents:read'],
    owner: 'server-tests',
    deploymentEnv: 'development',
    ...overrides
  }
}

