import t from 'tap'
import { adminSession, buildApp, insertUsage } from './helpers.js'

t.test('re-running a day changes nothing: the upsert sets, never adds', async (t) => {
  const app = await buildApp(t)
  const admin = await adminSession(app)
  await insertUsage(app, [
    { tenantId: admin.organizationId, agentId: admin.agentId, metric: 'api_call', day: '2026-02-11', count: 9 },
    { tenantId: admin.organizationId, agentId: null, metric: 'rate_limited', day: '2026-02-11', count: 2 }
  ])
  const snapshot = async (): Promise<unknown[]> => (await app.sentryagent.db.query(
    'SELECT agent_id, metric_type, date::text, count FROM analytics_daily_aggregates WHERE tenant_id = $1 ORDER BY metric_type', [admin.organizationId])).rows
  const first = await app.analytics.aggregator.aggregateRange('2026-02-10', '2026-02-12')
  t.same(first.days, ['2026-02-10', '2026-02-11', '2026-02-12'])
  const once = await snapshot()
  t.equal(once.length, 2, 'a tenant-level row (no agent) is kept once too')
  await app.analytics.aggregator.aggregateRange('2026-02-11', '2026-02-11')
  await app.analytics.aggregator.aggregateRange('2026-02-11', '2026-02-11')
  t.same(await snapshot(), once)
})
