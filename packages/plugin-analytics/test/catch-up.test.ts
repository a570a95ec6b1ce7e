import t from 'tap'
import { adminSession, aggregateTotals, buildApp, insertUsage, ManualClock, rawTotals } from './helpers.js'

t.test('days missed while no worker ran are all caught up by the next run, not only yesterday', async (t) => {
  const clock = new ManualClock('2026-07-01T10:00:00Z')
  const app = await buildApp(t, { core: { clock } })
  const admin = await adminSession(app)
  await app.analytics.aggregator.run()
  const days = ['2026-07-01', '2026-07-02', '2026-07-03', '2026-07-04']
  await insertUsage(app, days.map((day, index) => ({ tenantId: admin.organizationId, agentId: admin.agentId, metric: 'api_call', day, count: 10 + index })))
  // No run for four days; the fifth morning's run rolls every closed day up.
  clock.advanceDays(4)
  const run = await app.analytics.aggregator.run()
  for (const day of days) t.ok(run.days.includes(day), `${day} aggregated`)
  t.same(await aggregateTotals(app, admin.organizationId), await rawTotals(app, admin.organizationId))
  t.equal((await aggregateTotals(app, admin.organizationId)).size, 4)
})

t.test('a day still open is not rolled up, and is by the first run after it closes', async (t) => {
  const clock = new ManualClock('2026-07-10T10:00:00Z')
  const app = await buildApp(t, { core: { clock } })
  const admin = await adminSession(app)
  await insertUsage(app, [{ tenantId: admin.organizationId, agentId: admin.agentId, metric: 'api_call', day: '2026-07-10', count: 3 }])
  const early = await app.analytics.aggregator.run()
  t.notOk(early.days.includes('2026-07-10'))
  t.equal((await aggregateTotals(app, admin.organizationId)).size, 0)
  clock.advanceDays(1)
  await app.analytics.aggregator.run()
  t.equal((await aggregateTotals(app, admin.organizationId)).get(`${admin.agentId}|api_call|2026-07-10`), 3)
})

t.test('events a late flush writes for a day already rolled up are counted by the next run', async (t) => {
  const clock = new ManualClock('2026-07-20T10:00:00Z')
  const app = await buildApp(t, { core: { clock } })
  const admin = await adminSession(app)
  await insertUsage(app, [{ tenantId: admin.organizationId, agentId: admin.agentId, metric: 'api_call', day: '2026-07-19', count: 5 }])
  await app.analytics.aggregator.run()
  await insertUsage(app, [{ tenantId: admin.organizationId, agentId: admin.agentId, metric: 'api_call', day: '2026-07-19', count: 2 }])
  await app.analytics.aggregator.run()
  t.equal((await aggregateTotals(app, admin.organizationId)).get(`${admin.agentId}|api_call|2026-07-19`), 7)
})
