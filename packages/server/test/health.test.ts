import t from 'tap'
import { SERVER_VERSION } from '../src/index.js'
import { buildApp, waitFor } from './helpers.js'
import { ThrowawayRedis } from '@sentryagent/test-support'

t.test('/health reports the version and both services up', async (t) => {
  const app = await buildApp(t)
  const response = await app.inject({ url: '/health' })
  t.equal(response.statusCode, 200, response.body)
  const body = response.json()
  t.same(Object.keys(body).sort(), ['services', 'status', 'uptime', 'version'])
  t.match(body, { status: 'ok', version: SERVER_VERSION, services: { database: 'up', cache: 'up' } })
  t.ok(body.uptime > 0, 'uptime is counted in seconds')
})

t.test('/health/detailed adds latencies, the schema version, the mode and the flags', async (t) => {
  const app = await buildApp(t, { A2A_ENABLED: 'false', RATE_LIMIT_ENABLED: 'false' })
  const response = await app.inject({ url: '/health/detailed' })
  t.equal(response.statusCode, 200, response.body)
  const body = response.json()
  t.match(body, {
    status: 'ok',
    version: SERVER_VERSION,
    services: { database: 'up', cache: 'up' },
    mode: 'production',
    checks: {
      database: { status: 'up', latencyMs: Number },
      cache: { status: 'up', latencyMs: Number, backend: 'redis' }
    }
  })
  t.ok(Number.isInteger(body.checks.database.schemaVersion) && body.checks.database.schemaVersion >= 7, 'the core migrations are applied')
  t.same(body.features, { a2a: false, analytics: true, tierRateLimiting: true, scaffold: true, agntcy: true, rateLimiting: false })
})

t.test('with Redis down, /health answers 503 degraded at once, and recovers with it', async (t) => {
  const redis = await ThrowawayRedis.start()
  t.teardown(() => redis.stop())
  const app = await buildApp(t, { REDIS_URL: redis.url })
  t.equal((await app.inject({ url: '/health' })).statusCode, 200)

  await redis.stop()
  const started = Date.now()
  const response = await app.inject({ url: '/health' })
  const elapsed = Date.now() - started
  t.equal(response.statusCode, 503, response.body)
  t.match(response.json(), { status: 'degraded', services: { database: 'up', cache: 'down' } })
  t.ok(elapsed < 2500, `answered in ${elapsed} ms, not after a hang`)
  const detailed = await app.inject({ url: '/health/detailed' })
  t.equal(detailed.statusCode, 503)
  t.match(detailed.json(), { status: 'degraded', checks: { cache: { status: 'down', backend: 'redis' } } })
  const live = await app.inject({ url: '/health/live' })
  t.equal(live.statusCode, 200, 'the balancer\'s check keeps the instance in service: its own 503s reach clients')
  t.same(live.json(), { status: 'ok', version: SERVER_VERSION })

  await redis.start()
  await waitFor('/health to recover', async () => (await app.inject({ url: '/health' })).statusCode === 200)
  t.pass('back to 200 once Redis is back')
})

