import t from 'tap'
import Fastify from 'fastify'
import { TIERS } from '@sentryagent/core'
import tiersPlugin from '../src/index.js'
import { buildApp, call, tenant } from './helpers.js'

t.test('GET /tiers returns the tier map verbatim, publicly', async (t) => {
  const app = await buildApp(t)
  const response = await app.inject({ url: '/api/v1/tiers' })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /application\/json/)
  t.equal(response.headers['cache-control'], 'public, max-age=300')
  t.same(response.json(), { tiers: TIERS })
  t.same(response.json().tiers.map((tier: { id: string }) => tier.id), ['free', 'pro', 'enterprise'])
})

t.test('GET /tiers carries a strong ETag and answers 304 to a matching If-None-Match', async (t) => {
  const app = await buildApp(t)
  const first = await app.inject({ url: '/api/v1/tiers' })
  const etag = first.headers.etag as string
  t.match(etag, /^"[A-Za-z0-9_-]+"$/)
  const again = await app.inject({ url: '/api/v1/tiers', headers: { 'if-none-match': etag } })
  t.equal(again.statusCode, 304)
  t.equal(again.body, '')
  t.equal(again.headers.etag, etag)
  t.equal((await app.inject({ url: '/api/v1/tiers', headers: { 'if-none-match': '"stale"' } })).statusCode, 200)
})

t.test('GET /tiers/status answers the caller\'s tier, limits and today\'s usage', async (t) => {
  const app = await buildApp(t)
  const owner = await tenant(app, 'pro')
  await call(app, owner)
  await call(app, owner)
  const response = await app.inject({ url: '/api/v1/tiers/status', headers: { authorization: owner.authorization } })
  t.equal(response.statusCode, 200)
  t.same(response.json(), {
    tier: 'pro',
    limits: TIERS.find((tier) => tier.id === 'pro')!.limits,
    usage: { agentCount: 1, callsToday: 3, tokensToday: 1 }
  }, 'this call counts too')
})

t.test('GET /tiers/status needs a bearer token', async (t) => {
  const app = await buildApp(t)
  const response = await app.inject({ url: '/api/v1/tiers/status' })
  t.equal(response.statusCode, 401)
  t.equal(response.json().code, 'UNAUTHORIZED')
})

t.test('the tiers routes refuse to start without the limits plugin', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(tiersPlugin).ready() }, { code: 'SENTRYAGENT_TIERS_MISSING_LIMITS' })
})
