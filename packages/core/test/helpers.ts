import Fastify, { type FastifyInstance } from 'fastify'
import pg from 'pg'
import { Redis } from 'ioredis'
import corePlugin, { RedisKeyValueStore, SigningKeys, type CoreOptions, type CreatedOrganization } from '../src/index.js'

function required (name: string): string {
  const value = process.env[name]
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set: run the tests through \`pnpm test\` at the repository root, which starts PostgreSQL and Redis`)
  }
  return value
}

export const databaseUrl = (): string => required('DATABASE_URL')
export const redisUrl = (): string => required('REDIS_URL')

const testKeys = SigningKeys.generatePem('ES256')

/** A fresh app on the shared test PostgreSQL and Redis; closing it closes what it opened. */
export async function buildApp (options: Partial<CoreOptions> = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  const pool = new pg.Pool({ connectionString: databaseUrl(), max: 10 })
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 })
  const store = new RedisKeyValueStore(redis)
  app.addHook('onClose', async () => {
    await store.close()
    await pool.end()
    redis.disconnect()
  })
  await app.register(corePlugin, { database: pool, store, signingKeys: testKeys, ...options })
  await app.ready()
  return app
}

export async function createOrganization (app: FastifyInstance, tier: 'free' | 'pro' | 'enterprise' = 'free'): Promise<CreatedOrganization> {
  return app.sentryagent.organizations.create(`Test org ${Math.random().toString(36).slice(2, 8)}`, tier)
}

export async function accessToken (app: FastifyInstance, clientId: string, clientSecret: string, scope?: string): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/token',
    payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, ...(scope === undefined ? {} : { scope }) }
  })
  if (response.statusCode !== 200) throw new Error(`token request failed: ${response.statusCode} ${response.body}`)
  return response.json<{ access_token: string }>().access_token
}

/** An organization and a bearer header for its admin agent (all platform scopes). */
export async function adminSession (app: FastifyInstance): Promise<CreatedOrganization & { authorization: string }> {
  const organization = await createOrganization(app)
  const token = await accessToken(app, organization.clientId, organization.clientSecret)
  return { ...organization, authorization: `Bearer ${token}` }
}

let emailCounter = 0
export function agentBody (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  emailCounter++
  return {
    email: `agent-${process.pid}-${Date.now()}-${emailCounter}@example.com`,
    agentType: 'classifier',
    version: '1.2.0',
    capabilities: ['agents:read', 'reports:write'],
    owner: 'team-ml',
    deploymentEnv: 'staging',
    ...overrides
  }
}
