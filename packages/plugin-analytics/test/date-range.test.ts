import t from 'tap'
import { accessToken, adminSession, analytics, buildApp, createAgent, ManualClock } from './helpers.js'

const clock = new ManualClock('2026-06-15T08:00:00Z')

t.test('bad, reversed, future and longer-than-the-tier ranges answer 400 INVALID_DATE_RANGE', async (t) => {
  const app = await buildApp(t, { core: { clock } })
  const free = await adminSession(app, 'free')
  const cases: Array<Record<string, string>> = [
    { from: '2026-13-01', to: '2026-06-01' },
    { from: '2026-02-30', to: '2026-06-01' },
    { from: 'yesterday', to: '2026-06-01' },
    { from: '2026-06-10', to: '2026-06-01' },
    { from: '2026-06-10', to: '2026-06-16' },
    { from: '2026-05-15', to: '2026-06-14' }, // 31 days back: the free tier keeps 30
    { to: '0000000000' } // not a day, and no from to count back from it (found by the fuzzer)
  ]
  for (const path of ['usage-summary', 'agent-activity', 'token-trends']) {
    for (const query of cases) {
      const response = await analytics(app, free.authorization, path, query)
      t.equal(response.statusCode, 400, `${path} ${JSON.stringify(query)}`)
      t.equal(response.json().code, 'INVALID_DATE_RANGE')
    }
  }
  const tooOld = (await analytics(app, free.authorization, 'usage-summary', { from: '2026-05-15', to: '2026-05-20' })).json()
  t.same(tooOld.details, { historyDays: 30, earliestFrom: '2026-05-16' })
  t.equal((await analytics(app, free.authorization, 'usage-summary', { from: '2026-05-16', to: '2026-06-15' })).statusCode, 200, 'today and 30 days back are fine')
})

t.test('the history limit follows the tier', async (t) => {
  const app = await buildApp(t, { core: { clock } })
  const pro = await adminSession(app, 'pro')
  t.equal((await analytics(app, pro.authorization, 'token-trends', { from: '2026-03-17', to: '2026-06-14' })).statusCode, 200)
  t.equal((await analytics(app, pro.authorization, 'token-trends', { from: '2026-03-16', to: '2026-06-14' })).statusCode, 400)
  await app.sentryagent.organizations.changeTier(pro.organizationId, 'enterprise')
  t.equal((await analytics(app, pro.authorization, 'token-trends', { from: '2025-06-15', to: '2026-06-14' })).statusCode, 200)
})

t.test('without a range: the 30 days through yesterday', async (t) => {
  const app = await buildApp(t, { core: { clock } })
  const admin = await adminSession(app)
  const response = await analytics(app, admin.authorization, 'usage-summary')
  t.same(response.json().period, { from: '2026-05-16', to: '2026-06-14' })
  t.equal(response.json().summary.peakDate, null)
})

t.test('scope analytics:read is required; no token is 401', async (t) => {
  const app = await buildApp(t, { core: { clock } })
  const admin = await adminSession(app)
  const agent = await createAgent(app, admin.authorization)
  const token = await accessToken(app, agent.agentId, agent.clientSecret)
  const forbidden = await analytics(app, `Bearer ${token}`, 'usage-summary')
  t.equal(forbidden.statusCode, 403)
  t.equal(forbidden.json().code, 'FORBIDDEN')
  const anonymous = await app.inject({ method: 'GET', url: '/api/v1/analytics/token-trends' })
  t.equal(anonymous.statusCode, 401)
})
