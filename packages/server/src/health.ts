import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Runtime } from './runtime.js'
import type { ServerConfig } from './config.js'

const ServiceStatus = Type.Enum(['up', 'down'])
const Health = Type.Object({
  status: Type.Enum(['ok', 'degraded']),
  version: Type.String(),
  uptime: Type.Number({ description: 'Seconds since the process started' }),
  services: Type.Object({ database: ServiceStatus, cache: ServiceStatus })
}, { $id: 'Health' })
const DetailedHealth = Type.Object({
  ...Health.properties,
  mode: Type.Enum(['embedded', 'production']),
  checks: Type.Object({
    database: Type.Object({ status: ServiceStatus, latencyMs: Type.Number(), schemaVersion: Type.Union([Type.Integer(), Type.Null()]) }),
    cache: Type.Object({ status: ServiceStatus, latencyMs: Type.Number(), backend: Type.Enum(['redis', 'memory']) })
  }),
  features: Type.Record(Type.String(), Type.Boolean())
}, { $id: 'DetailedHealth' })
const Liveness = Type.Object({ status: Type.Literal('ok'), version: Type.String() }, { $id: 'Liveness' })

// A health probe must answer even when a dependency hangs.
const PROBE_TIMEOUT_MS = 2000

async function probe<T> (check: () => Promise<T>): Promise<{ status: 'up' | 'down', latencyMs: number, value: T | null }> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  try {
    const value = await Promise.race([check(), new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(new Error('probe timed out')) }, PROBE_TIMEOUT_MS)
    })])
    return { status: 'up', latencyMs: performance.now() - started, value }
  } catch {
    return { status: 'down', latencyMs: performance.now() - started, value: null }
  } finally {
    clearTimeout(timer)
  }
}

export interface HealthOptions { runtime: Runtime, config: ServerConfig, version: string }

// Probes come from the infrastructure, so the health routes opt out of rate limiting.
export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (fastify, { runtime, config, version }) => {
  const check = async () => {
    const [database, cache] = await Promise.all([
      probe(async () => {
        const { rows } = await runtime.database.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations')
        return rows[0]?.version ?? null
      }),
      probe(async () => { await runtime.store.ping() })
    ])
    const healthy = database.status === 'up' && cache.status === 'up'
    return {
      code: healthy ? 200 as const : 503 as const,
      summary: {
        status: healthy ? 'ok' as const : 'degraded' as const,
        version,
        uptime: process.uptime(),
        services: { database: database.status, cache: cache.status }
      },
      database,
      cache
    }
  }

  fastify.get('/health', {
    config: { rateLimit: false },
    schema: { tags: ['Health'], summary: 'Liveness and dependency status', response: { 200: Health, 503: Health } }
  }, async (_request, reply) => {
    const { code, summary } = await check()
    return reply.status(code).send(summary)
  })

  // Probes nothing: PostgreSQL or Redis being down is the same on every instance, and a balancer
  // that drains them all hides the server's own 503 with Retry-After behind its generic error.
  // A closing instance still answers 503 here (the server's first hook does).
  const live = JSON.stringify({ status: 'ok', version })
  fastify.get('/health/live', {
    config: { rateLimit: false },
    schema: { tags: ['Health'], summary: 'Whether this process serves requests; checks no dependency (for the balancer)', response: { 200: Liveness } }
  }, (_request, reply) => {
    void reply.type('application/json; charset=utf-8').send(live)
  })

  fastify.get('/health/detailed', {
    config: { rateLimit: false },
    schema: { tags: ['Health'], summary: 'Dependency latencies, schema version, mode and feature flags', response: { 200: DetailedHealth, 503: DetailedHealth } }
  }, async (_request, reply) => {
    const { code, summary, database, cache } = await check()
    return reply.status(code).send({
      ...summary,
      mode: runtime.mode,
      checks: {
        database: { status: database.status, latencyMs: database.latencyMs, schemaVersion: database.value === null ? null : Number(database.value) },
        cache: { status: cache.status, latencyMs: cache.latencyMs, backend: runtime.redis === undefined ? 'memory' as const : 'redis' as const }
      },
      features: { ...config.features, rateLimiting: config.rateLimitEnabled }
    })
  })
}
