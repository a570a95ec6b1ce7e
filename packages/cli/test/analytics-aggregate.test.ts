import t from 'tap'
import { run } from '../src/run.js'
import { buildApp, captureOutput, productionEnv } from './helpers.js'

t.test('analytics aggregate validates its range before touching anything: exit 2', async (t) => {
  const invalid = [
    ['analytics', 'aggregate'],
    ['analytics', 'aggregate', '--from', '2026-03-01'],
    ['analytics', 'aggregate', '--from', '2026-02-30', '--to', '2026-03-01'],
    ['analytics', 'aggregate', '--from', '2026-03-02', '--to', '2026-03-01'],
    ['analytics', 'aggregate', '--from', '2000-01-01', '--to', '2026-03-01']
  ]
  for (const argv of invalid) {
    const output = captureOutput()
    t.equal(await run(argv, output, { DATABASE_URL: 'postgres://127.0.0.1:1/none' }), 2, argv.join(' '))
    t.match(output.stderr(), /--from|days at a time/)
  }
  const disabled = captureOutput()
  t.equal(await run(['analytics', 'aggregate', '--from', '2026-03-01', '--to', '2026-03-01'], disabled, productionEnv({ ANALYTICS_ENABLED: 'false' })), 2)
  t.match(disabled.stderr(), /ANALYTICS_ENABLED=false/)
})

t.test('analytics aggregate backfills a range from usage_events, and a rerun changes nothing', async (t) => {
  const env = productionEnv()
  const app = await buildApp(t, env)
  const organization = await app.sentryagent.organizations.create('Backfill Org', 'pro')
  await app.sentryagent.db.query(
    `INSERT INTO usage_events (organization_id, agent_id, metric, usage_date, count) VALUES
     ($1, $2, 'api_call', '2025-12-30', 4), ($1, $2, 'api_call', '2025-12-30', 3), ($1, $2, 'token_issued', '2026-01-01', 2)`,
    [organization.organizationId, organization.agentId])
  const counts = async (): Promise<unknown[]> => (await app.sentryagent.db.query(
    'SELECT metric_type, date::text, count::integer FROM analytics_daily_aggregates WHERE tenant_id = $1 ORDER BY date', [organization.organizationId])).rows

  const output = captureOutput()
  t.equal(await run(['analytics', 'aggregate', '--from', '2025-12-30', '--to', '2026-01-01', '--json'], output, env), 0, output.stderr())
  t.match(JSON.parse(output.stdout()), { from: '2025-12-30', to: '2026-01-01', days: 3 })
  const expected = [{ metric_type: 'api_call', date: '2025-12-30', count: 7 }, { metric_type: 'token_issued', date: '2026-01-01', count: 2 }]
  t.same(await counts(), expected)

  const again = captureOutput()
  t.equal(await run(['analytics', 'aggregate', '--from', '2025-12-30', '--to', '2026-01-01'], again, env), 0, again.stderr())
  t.match(again.stdout(), /^Aggregated 3 day\(s\), 2025-12-30 to 2026-01-01: \d+ aggregate row\(s\) written\.$/)
  t.same(await counts(), expected)
})
