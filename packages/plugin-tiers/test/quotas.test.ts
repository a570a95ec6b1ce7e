import t from 'tap'
import { agentBody, buildApp, ManualClock, tenant } from './helpers.js'

t.test('registering an agent past the tier\'s maximum answers 403 AGENT_LIMIT_REACHED', async (t) => {
  // Each call a second apart: the burst limit stays out of the way.
  const clock = new ManualClock()
  const app = await buildApp(t, { clock })
  const owner = await tenant(app)
  const register = () => (clock.advance(1000), app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization: owner.authorization }, payload: agentBody() }))
  // The free tier holds 10 agents; the admin agent is the first.
  const created: string[] = []
  for (let i = 0; i < 9; i++) {
    const response = await register()
    t.equal(response.statusCode, 201)
    created.push(response.json().agentId)
  }
  const refused = await register()
  t.equal(refused.statusCode, 403)
  t.same(refused.json().details, { tier: 'free', limit: 10, upgradeUrl: '/api/v1/billing/upgrade' })
  t.equal(refused.json().code, 'AGENT_LIMIT_REACHED')

  clock.advance(1000)
  await app.inject({ method: 'DELETE', url: `/api/v1/agents/${created[0]}`, headers: { authorization: owner.authorization } })
  t.equal((await register()).statusCode, 201, 'a decommissioned agent frees its place')
  await app.sentryagent.organizations.changeTier(owner.organizationId, 'pro')
  t.equal((await register()).statusCode, 201, 'an upgrade raises the maximum at once')
})

t.test('token issuances past the daily quota answer 429 TOKEN_QUOTA_EXCEEDED until the next UTC day', async (t) => {
  const clock = new ManualClock(Date.parse('2026-03-10T20:00:00.000Z'))
  const app = await buildApp(t, { clock })
  const owner = await tenant(app) // one token issued
  const issue = () => app.inject({ method: 'POST', url: '/api/v1/token', payload: { grant_type: 'client_credentials', client_id: owner.clientId, client_secret: owner.clientSecret } })
  for (let i = 1; i < 200; i++) t.equal((await issue()).statusCode, 200)
  const refused = await issue()
  t.equal(refused.statusCode, 429)
  t.same(refused.json(), {
    code: 'TOKEN_QUOTA_EXCEEDED',
    message: 'The daily quota of 200 token issuances of the free tier is used up',
    details: { tier: 'free', limit: 200, window: '1d', retryAfter: 4 * 3600, upgradeUrl: '/api/v1/billing/upgrade' }
  })
  const status = await app.inject({ url: '/api/v1/tiers/status', headers: { authorization: owner.authorization } })
  t.equal(status.json().usage.tokensToday, 200, 'refused issuances are not counted')
  clock.set('2026-03-11T00:00:01.000Z')
  t.equal((await issue()).statusCode, 200, 'a new UTC day')
})

t.test('enterprise tenants have no daily or agent quota', async (t) => {
  const app = await buildApp(t)
  const owner = await tenant(app, 'enterprise')
  const status = await app.inject({ url: '/api/v1/tiers/status', headers: { authorization: owner.authorization } })
  t.match(status.json(), { tier: 'enterprise', limits: { registeredAgents: null, apiCallsPerDay: null }, usage: { agentCount: 1, tokensToday: 1 } })
  const response = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization: owner.authorization }, payload: agentBody() })
  t.equal(response.statusCode, 201)
  t.notOk(response.headers.ratelimit?.toString().includes('"day"'), 'no daily policy to report')
})
