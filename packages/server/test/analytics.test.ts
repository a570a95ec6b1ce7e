import t from 'tap'
import { adminSession, buildApp } from './helpers.js'

t.test('ANALYTICS_ENABLED=false: no analytics routes, no dashboard, no job', async (t) => {
  const app = await buildApp(t, { ANALYTICS_ENABLED: 'false' })
  const admin = await adminSession(app)
  const response = await app.inject({ method: 'GET', url: '/api/v1/analytics/usage-summary', headers: { authorization: admin.authorization } })
  t.equal(response.statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/dashboard' })).statusCode, 404)
  t.notOk(app.hasDecorator('analytics'))
})

t.test('analytics enabled (the default): the API answers under /api/v1, the dashboard at /dashboard, the job on BullMQ', async (t) => {
  const app = await buildApp(t)
  const admin = await adminSession(app)
  for (const path of ['usage-summary', 'agent-activity', 'token-trends']) {
    const response = await app.inject({ method: 'GET', url: `/api/v1/analytics/${path}`, headers: { authorization: admin.authorization } })
    t.equal(response.statusCode, 200, path)
    t.equal(response.json().tenantId, admin.organizationId)
  }
  const bad = await app.inject({ method: 'GET', url: '/api/v1/analytics/token-trends?from=2020-01-01&to=2020-01-02', headers: { authorization: admin.authorization } })
  t.equal(bad.json().code, 'INVALID_DATE_RANGE')
  t.equal((await app.inject({ method: 'GET', url: '/dashboard' })).statusCode, 200)
  t.equal(app.analytics.scheduler?.constructor.name, 'BullMqAggregationScheduler')
  t.match((await app.inject({ method: 'GET', url: '/metrics' })).body, /agentidp_analytics_aggregation_duration_seconds/)
})
