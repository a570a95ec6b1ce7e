import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import pg from 'pg'
import { Redis } from 'ioredis'
import corePlugin, { RedisKeyValueStore, SigningKeys, type CoreOptions } from '@sentryagent/core'
import { databaseUrl, redisUrl } from '@sentryagent/test-support'

/** What a tap test gives a helper: somewhere to register cleanup. */
export interface Teardown { teardown(fn: () => unknown): void }

/** One key pair for a whole test file: generating one per app would dominate short tests. */
export const testKeys = SigningKeys.generatePem('ES256')

export interface TestAppOptions {
  logger?: FastifyServerOptions['logger']
  /** Another Redis than the test one (a relay the test can cut, say). */
  redisUrl?: string
  poolMax?: number
}

export interface TestApp {
  app: FastifyInstance
  /** The app's Redis client (closed with it), for plugins that take one. */
  redis: Redis
  /** Registers core on the app's pool and store; register what must precede it first. */
  registerCore(options?: Partial<CoreOptions>): Promise<void>
}

/**
 * A Fastify app configured as the server configures its own (the same Ajv options), with a
 * PostgreSQL pool and a Redis store on the test services, all closed when the test ends.
 */
export function testApp (t: Teardown, options: TestAppOptions = {}): TestApp {
  const app = Fastify({ logger: options.logger ?? false, ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } } })
  const pool = new pg.Pool({ connectionString: databaseUrl(), max: options.poolMax ?? 10 })
  pool.on('error', () => {})
  const redis = new Redis(options.redisUrl ?? redisUrl(), { maxRetriesPerRequest: 1 })
  redis.on('error', () => {})
  const store = new RedisKeyValueStore(redis)
  app.addHook('onClose', async () => {
    await store.close()
    await pool.end()
    redis.disconnect()
  })
  t.teardown(() => app.close())
  return {
    app,
    redis,
    registerCore: async (core = {}) => {
      await app.register(corePlugin, { database: pool, store, signingKeys: testKeys, ...core })
    }
  }
}
