import t from 'tap'
import { adminSession, aggregateTotals, buildApp, insertUsage, ManualClock, rawTotals } from './helpers.js'

t.test('two concurrent runs of the same day (two instances) give the correct totals', async (t) => {
  const clock = new ManualClock('2026-05-03T01:00:00Z')
  const first = await buildApp(t, { core: { clock } })
  const second = await buildApp(t, { core: { clock } })
  const admin = await adminSession(first)
  const rows = Array.from({ length: 40 }, (_, index) => ({
    tenantId: admin.organizationId, agentId: admin.agentId, metric: index % 2 === 0 ? 'api_call' : 'token_issued', day: '2026-05-02', count: index + 1
  }))
  await insertUsage(first, rows)
  await Promise.all([
    first.analytics.aggregator.aggregateRange('2026-05-02', '2026-05-02'),
    second.analytics.aggregator.aggregateRange('2026-05-02', '2026-05-02'),
    first.analytics.aggregator.run(),
    second.analytics.aggregator.run()
  ])
  const totals = await aggregateTotals(first, admin.organizationId)
  t.same(totals, await rawTotals(first, admin.organizationId))
  t.equal(totals.get(`${admin.agentId}|api_call|2026-05-02`), 400) // 1 + 3 + … + 39
  t.equal(totals.get(`${admin.agentId}|token_issued|2026-05-02`), 420) // 2 + 4 + … + 40
})
