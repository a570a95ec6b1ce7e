import t from 'tap'
import { adminSession, aggregateTotals, buildApp, insertUsage, rawTotals } from './helpers.js'

t.test('a run that fails halfway through a day leaves none of that day visible, and succeeds on retry', async (t) => {
  const app = await buildApp(t)
  const admin = await adminSession(app)
  const other = await adminSession(app)
  const day = '2026-01-21'
  await insertUsage(app, [
    { tenantId: admin.organizationId, agentId: admin.agentId, metric: 'api_call', day, count: 4 },
    { tenantId: admin.organizationId, agentId: admin.agentId, metric: 'token_issued', day, count: 1 },
    { tenantId: other.organizationId, agentId: other.agentId, metric: 'api_call', day, count: 8 }
  ])
  // A real failure inside PostgreSQL, part-way through writing the day: on one tenant's token row.
  const db = app.sentryagent.db
  const trigger = `analytics_fail_${admin.organizationId.replace(/-/g, '')}`
  await db.query(`CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`)
  await db.query(`CREATE TRIGGER ${trigger} BEFORE INSERT ON analytics_daily_aggregates FOR EACH ROW
    WHEN (NEW.tenant_id = '${admin.organizationId}' AND NEW.metric_type = 'token_issued') EXECUTE FUNCTION ${trigger}()`)
  t.teardown(async () => {
    await db.query(`DROP TRIGGER IF EXISTS ${trigger} ON analytics_daily_aggregates`).catch(() => {})
    await db.query(`DROP FUNCTION IF EXISTS ${trigger}()`).catch(() => {})
  })

  await t.rejects(app.analytics.aggregator.aggregateRange(day, day), /disk full/)
  t.equal((await aggregateTotals(app, admin.organizationId)).size, 0, 'no row of the failed day')
  t.equal((await aggregateTotals(app, other.organizationId)).size, 0, 'not even other tenants\' rows')

  await db.query(`DROP TRIGGER ${trigger} ON analytics_daily_aggregates`)
  await app.analytics.aggregator.aggregateRange(day, day)
  t.same(await aggregateTotals(app, admin.organizationId), await rawTotals(app, admin.organizationId))
  t.same(await aggregateTotals(app, other.organizationId), await rawTotals(app, other.organizationId))
})
