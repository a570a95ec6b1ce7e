import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { Redis, type RedisOptions } from 'ioredis'
import type { Clock, CreatedOrganization, Tier } from '@sentryagent/core'
import tiersPlugin, { tierLimits, type TierLimitsOptions, type TiersPluginOptions } from '../src/index.js'
import { databaseUrl, redisUrl } from '@sentryagent/test-support'
import { testApp, testKeys, type Teardown } from '@sentryagent/test-app'

export { databaseUrl, redisUrl, testKeys, type Teardown }

export interface BuildOptions {
  clock?: Clock
  /** Limiter options; `redis: null` runs the counters in memory (embedded mode). */
  limits?: Omit<TierLimitsOptions, 'redis'> & { redis?: Redis | null }
  /** The limiter's own Redis connection (a relay the test can cut), instead of the shared one. */
  limiterRedisUrl?: string
  limiterRedisOptions?: RedisOptions
  /** Where log lines go (at `warn` and above); none by default. */
  logStream?: NodeJS.WritableStream
  /** Host routes registered after core (a route with its own limit, for instance). */
  routes?: (app: FastifyInstance) => void
  /** Host routes registered after the limiter but before core (the server's /docs, for instance). */
  routesBeforeCore?: (app: FastifyInstance) => void
  tiers?: TiersPluginOptions
}

/** A fresh app as the server composes it: limiter first, then core, then the tiers routes. */
export async function buildApp (t: Teardown, options: BuildOptions = {}): Promise<FastifyInstance> {
  const { app, redis, registerCore } = testApp(t, { poolMax: 5, logger: options.logStream === undefined ? false : { level: 'warn', stream: options.logStream } })
  let limiterRedis = redis
  if (options.limiterRedisUrl !== undefined) {
    const own = limiterRedis = new Redis(options.limiterRedisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, ...options.limiterRedisOptions })
    own.on('error', () => {})
    app.addHook('onClose', async () => { own.disconnect() })
  }
  // Exactness tests count decisions, not deadlines: on a loaded machine a 50 ms deadline would fail some open.
  const { redis: limitsRedis, ...limits } = { decisionTimeoutMs: 5000, ...options.limits }
  await app.register(tierLimits, { ...limits, ...(limitsRedis === null ? {} : { redis: limitsRedis ?? limiterRedis }) })
  if (options.routesBeforeCore !== undefined) await app.register(async (early) => { options.routesBeforeCore!(early) })
  await registerCore(options.clock === undefined ? {} : { clock: options.clock })
  await app.register(tiersPlugin, { prefix: '/api/v1', ...options.tiers })
  options.routes?.(app)
  await app.ready()
  return app
}

/** A Redis client of the test's own, connected (the limiter's store fails at once on a connection not ready). */
export async function connectedRedis (t: Teardown): Promise<Redis> {
  const redis = new Redis(redisUrl(), { lazyConnect: true })
  t.teardown(() => redis.disconnect())
  await redis.connect()
  return redis
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  #now: number
  constructor (start = Date.parse('2026-03-10T12:00:00.000Z')) { this.#now = start }
  now (): Date { return new Date(this.#now) }
  advance (ms: number): void { this.#now += ms }
  set (iso: string): void { this.#now = Date.parse(iso) }
}

export interface Tenant extends CreatedOrganization { authorization: string }

/** An organization on `tier` and a bearer header for its admin agent (tokens straight from the service). */
export async function tenant (app: FastifyInstance, tier: Tier = 'free'): Promise<Tenant> {
  const organization = await app.sentryagent.organizations.create(`Tiers test ${Math.random().toString(36).slice(2, 8)}`, tier)
  const { access_token: token } = await app.sentryagent.tokens.issueForClient(organization.clientId, organization.clientSecret, undefined)
  return { ...organization, authorization: `Bearer ${token}` }
}

/** An authenticated, rate-limited call: the tenant's own admin agent. */
export async function call (app: FastifyInstance, who: Tenant): Promise<LightMyRequestResponse> {
  return app.inject({ url: `/api/v1/agents/${who.agentId}`, headers: { authorization: who.authorization } })
}

let emailCounter = 0
export function agentBody (): Record<string, unknown> {
  emailCounter++
  return {
    email: `tiers-${process.pid}-${Date.now()}-${emailCounter}@example.com`,
    agentType: 'classifier',
    version: '1.0.0',
    capabilities: ['agents:read'],
    owner: 'tiers-tests',
    deploymentEnv: 'development'
  }
}
