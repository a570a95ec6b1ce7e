import t from 'tap'
import Fastify from 'fastify'
import { DEFAULTS } from '../src/index.js'
import { resolveOptions } from '../src/options.js'
import { buildApp } from './helpers.js'

t.test('defaults: daily at 00:05 UTC, 5 attempts, 5-minute cache', async (t) => {
  t.match(resolveOptions({}), { ...DEFAULTS, redis: undefined })
  t.equal(DEFAULTS.cron, '5 0 * * *')
  t.equal(DEFAULTS.cacheTtlSeconds, 300)
})

t.test('invalid options throw a coded error at registration', async (t) => {
  for (const bad of [{ cron: '*/5 * * * *' }, { attempts: 0 }, { backoffMs: -1 }, { cacheTtlSeconds: 1.5 }, { queueName: 'a:b' }]) {
    t.throws(() => resolveOptions(bad), { code: 'SENTRYAGENT_ANALYTICS_INVALID_OPTION' }, JSON.stringify(bad))
  }
})

t.test('registering without the core plugin fails', async (t) => {
  const app = Fastify()
  const { default: analytics } = await import('../src/index.js')
  await t.rejects(async () => { await app.register(analytics).ready() }, /@sentryagent\/core/)
})

t.test('the dashboard can be turned off', async (t) => {
  const app = await buildApp(t, { analytics: { dashboard: false } })
  t.equal((await app.inject({ method: 'GET', url: '/dashboard' })).statusCode, 404)
})
