import t from 'tap'
import { adminSession, buildApp } from './helpers.js'

t.test('TIER_RATE_LIMITING_ENABLED=false: the tiers paths answer 404 and the flat limiter runs', async (t) => {
  const app = await buildApp(t, { TIER_RATE_LIMITING_ENABLED: 'false' })
  t.equal((await app.inject({ url: '/api/v1/tiers' })).statusCode, 404)
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/billing/webhook', payload: {} })).statusCode, 404)
  const { authorization } = await adminSession(app)
  const response = await app.inject({ url: '/api/v1/agents', headers: { authorization } })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['x-ratelimit-limit'], '600', 'the flat limit')
  t.notOk(response.headers['ratelimit-policy'])
})

t.test('on by default: GET /tiers, /tiers/status and the tier limiter on core\'s routes', async (t) => {
  const app = await buildApp(t)
  const tiers = await app.inject({ url: '/api/v1/tiers' })
  t.equal(tiers.statusCode, 200)
  t.same(tiers.json().tiers.map((tier: { id: string }) => tier.id), ['free', 'pro', 'enterprise'])
  const { authorization } = await adminSession(app)
  const status = await app.inject({ url: '/api/v1/tiers/status', headers: { authorization } })
  t.equal(status.statusCode, 200)
  t.equal(status.json().tier, 'free')
  const response = await app.inject({ url: '/api/v1/agents', headers: { authorization } })
  t.equal(response.headers['x-ratelimit-limit'], '60', 'the free tier\'s limit')
  t.match(response.headers['ratelimit-policy'], /"minute";q=60;w=60/)
  const upgrade = await app.inject({ method: 'POST', url: '/api/v1/billing/upgrade', headers: { authorization }, payload: { tier: 'pro' } })
  t.equal(upgrade.statusCode, 501, 'no Stripe configured')
  t.equal(upgrade.json().code, 'BILLING_NOT_CONFIGURED')
})
