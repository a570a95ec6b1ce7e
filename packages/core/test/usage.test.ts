import t from 'tap'
import type pg from 'pg'
import { LogCapture, ManualClock, accessToken, adminSession, buildApp, createAgent, createPool, eventually, scratchDatabase } from './helpers.js'

async function usage (pool: pg.Pool, organizationId: string): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ agent_id: string | null, metric: string, usage_date: string, total: string }>(
    `SELECT agent_id, metric, to_char(usage_date, 'YYYY-MM-DD') AS usage_date, sum(count) AS total FROM usage_events
     WHERE organization_id = $1 GROUP BY agent_id, metric, usage_date`, [organizationId])
  return Object.fromEntries(rows.map((row) => [`${row.agent_id ?? '-'} ${row.metric} ${row.usage_date}`, Number(row.total)]))
}

const today = (): string => new Date().toISOString().slice(0, 10)

t.test('authenticated requests and token issuance are counted in memory and flushed to usage_events on close', async (t) => {
  const pool = createPool()
  t.teardown(() => pool.end())
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization, agentId: adminId, organizationId } = await adminSession(app)
  const agent = await createAgent(app, authorization)
  const rotated = await app.inject({ method: 'POST', url: `/api/v1/agents/${agent.agentId}/credentials/${agent.credentialId}/rotate`, headers: { authorization } })
  const token = await accessToken(app, agent.agentId, rotated.json().clientSecret)
  for (let i = 0; i < 3; i++) await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${token}` } })
  await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization: `Bearer ${token}` }, payload: {} })
  await app.inject({ url: '/api/v1/agents', headers: { authorization: 'Bearer forged' } })
  await app.inject({ url: '/.well-known/jwks.json' })

  t.same(await usage(pool, organizationId), {}, 'nothing written before a flush')
  await app.close()

  const day = today()
  t.same(await usage(pool, organizationId), {
    [`${adminId} token_issued ${day}`]: 1,
    [`${adminId} api_call ${day}`]: 3,
    [`${agent.agentId} credential_rotated ${day}`]: 1,
    [`${agent.agentId} token_issued ${day}`]: 1,
    [`${agent.agentId} api_call ${day}`]: 4
  }, 'refused tokens and public routes are not counted; forbidden calls are')

})

t.test('usage is counted per UTC day of the injected clock', async (t) => {
  const pool = createPool()
  t.teardown(() => pool.end())
  const clock = new ManualClock(new Date('2031-03-04T23:59:59.000Z'))
  const app = await buildApp({ clock })
  t.teardown(() => app.close())
  const { authorization, agentId, organizationId } = await adminSession(app)

  await app.inject({ url: '/api/v1/agents', headers: { authorization } })
  clock.advance(2)
  await app.inject({ url: '/api/v1/agents', headers: { authorization } })
  await app.inject({ url: '/api/v1/agents', headers: { authorization } })
  await app.sentryagent.usage.flush()

  t.same(await usage(pool, organizationId), {
    [`${agentId} token_issued 2031-03-04`]: 1,
    [`${agentId} api_call 2031-03-04`]: 1,
    [`${agentId} api_call 2031-03-05`]: 2
  })
})

t.test('the counter flushes on its interval', async (t) => {
  const pool = createPool()
  t.teardown(() => pool.end())
  const app = await buildApp({ usageFlushIntervalMs: 100 })
  t.teardown(() => app.close())
  const { authorization, agentId, organizationId } = await adminSession(app)
  await app.inject({ url: '/api/v1/agents', headers: { authorization } })

  t.ok(await eventually(async () => (await usage(pool, organizationId))[`${agentId} api_call ${today()}`] === 1), 'written without a close')
})

t.test('a failed flush keeps its counts for the next one', async (t) => {
  const database = await scratchDatabase()
  t.teardown(() => database.drop())
  const pool = createPool(database.url)
  t.teardown(() => pool.end())
  const logs = new LogCapture()
  const app = await buildApp({ usageFlushIntervalMs: 100 }, { databaseUrl: database.url, server: { logger: { level: 'warn', stream: logs } } })
  t.teardown(() => app.close())
  const { authorization, agentId, organizationId } = await adminSession(app)

  await pool.query('ALTER TABLE usage_events RENAME TO usage_events_unavailable')
  await app.inject({ url: '/api/v1/agents', headers: { authorization } })
  t.ok(await eventually(() => logs.text.includes('usage flush failed')), 'the periodic flush fails and says so')
  await t.rejects(app.sentryagent.usage.flush(), 'a direct flush reports the failure')
  await app.inject({ url: '/api/v1/agents', headers: { authorization } })

  await pool.query('ALTER TABLE usage_events_unavailable RENAME TO usage_events')
  const expected = { [`${agentId} token_issued ${today()}`]: 1, [`${agentId} api_call ${today()}`]: 2 }
  t.ok(await eventually(async () => JSON.stringify(await usage(pool, organizationId)) !== '{}'), 'a later periodic flush succeeds')
  await app.close()
  t.same(await usage(pool, organizationId), expected, 'nothing lost, nothing counted twice')
  const metrics = await app.sentryagent.metrics.getSingleMetricAsString('agentidp_usage_flush_failures_total')
  t.match(metrics, /agentidp_usage_flush_failures_total [1-9]/)
})
