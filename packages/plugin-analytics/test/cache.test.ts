import t from 'tap'
import { Redis } from 'ioredis'
import { Registry } from 'prom-client'
import { RedisKeyValueStore } from '@sentryagent/core'
import { AnalyticsRepository, AnalyticsService } from '../src/index.js'
import { adminSession, analytics, buildApp, insertUsage, redisUrl } from './helpers.js'

const range = { from: '2026-03-01', to: '2026-03-02' }

async function metricValue (registry: Registry, result: string): Promise<number> {
  const metric = await registry.getSingleMetric('agentidp_analytics_cache_requests_total')!.get()
  return metric.values.find((value) => value.labels.result === result)?.value ?? 0
}

t.test('answers are cached in Redis analytics_cache:* for 5 minutes, per tenant and range', async (t) => {
  const app = await buildApp(t, { analytics: { cacheTtlSeconds: 300 }, core: { clock: { now: () => new Date('2026-03-05T00:00:00Z') } } })
  const admin = await adminSession(app)
  await insertUsage(app, [{ tenantId: admin.organizationId, agentId: admin.agentId, metric: 'token_issued', day: '2026-03-01', count: 6 }])
  await app.analytics.aggregator.aggregateRange('2026-03-01', '2026-03-01')
  const first = await analytics(app, admin.authorization, 'token-trends', range)
  t.equal(first.json().data[0].tokensIssued, 6)

  const redis = new Redis(redisUrl())
  t.teardown(() => redis.disconnect())
  const key = `analytics_cache:token-trends:${admin.organizationId}:2026-03-01:2026-03-02`
  const ttl = await redis.ttl(key)
  t.ok(ttl > 290 && ttl <= 300, `ttl ${ttl}`)

  // Until it expires, a later aggregation is not seen: the cache answers.
  await insertUsage(app, [{ tenantId: admin.organizationId, agentId: admin.agentId, metric: 'token_issued', day: '2026-03-01', count: 1 }])
  await app.analytics.aggregator.aggregateRange('2026-03-01', '2026-03-01')
  t.same((await analytics(app, admin.authorization, 'token-trends', range)).json(), first.json())
  t.equal(await metricValue(app.sentryagent.metrics, 'hit'), 1)
  t.equal(await metricValue(app.sentryagent.metrics, 'miss'), 1)
  await redis.del(key)
  t.equal((await analytics(app, admin.authorization, 'token-trends', range)).json().data[0].tokensIssued, 7)
})

t.test('Redis down: analytics still answer from PostgreSQL, and count the cache errors', async (t) => {
  const app = await buildApp(t, { core: { clock: { now: () => new Date('2026-03-05T00:00:00Z') } } })
  const admin = await adminSession(app)
  await insertUsage(app, [{ tenantId: admin.organizationId, agentId: admin.agentId, metric: 'api_call', day: '2026-03-02', count: 11 }])
  await app.analytics.aggregator.aggregateRange('2026-03-02', '2026-03-02')

  // A real client on a port where no Redis listens: every command fails at once.
  const deadRedis = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null })
  deadRedis.on('error', () => {})
  t.teardown(() => deadRedis.disconnect())
  const registry = new Registry()
  const core = app.sentryagent
  const service = new AnalyticsService(new AnalyticsRepository(core.db), new RedisKeyValueStore(deadRedis),
    { historyDaysOf: async () => 30 }, core.agents, core.clock, registry, 300)

  const summary = await service.usageSummary(admin.organizationId, range)
  t.equal(summary.summary.totalApiCalls, 11)
  t.equal(summary.summary.peakDate, '2026-03-02')
  const activity = await service.agentActivity(admin.organizationId, range)
  t.same(activity.agents, [{ agentId: admin.agentId, counts: [0, 11], total: 11 }])
  t.equal(await metricValue(registry, 'error'), 2)
})

t.test('the tier comes from PostgreSQL when the tier cache (Redis) fails', async (t) => {
  const deadRedis = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null })
  deadRedis.on('error', () => {})
  t.teardown(() => deadRedis.disconnect())
  const app = await buildApp(t)
  const admin = await adminSession(app, 'pro')
  const live = app.sentryagent.tiers
  // The app's tier directory, pointed at the dead Redis for this test only.
  const failing = { definitionOf: async () => { await deadRedis.get('x'); return live.definitionOf(admin.organizationId) } }
  Object.assign(app.sentryagent, { tiers: failing })
  t.teardown(() => { Object.assign(app.sentryagent, { tiers: live }) })
  const today = new Date().toISOString().slice(0, 10)
  const old = new Date(Date.now() - 89 * 86_400_000).toISOString().slice(0, 10)
  t.equal((await analytics(app, admin.authorization, 'usage-summary', { from: old, to: today })).statusCode, 200, 'pro: 90 days, read from tenant_subscriptions')
})
