import t from 'tap'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { BullMqAggregationScheduler } from '../src/scheduling/bullmq-scheduler.js'
import { accessToken, buildApp, createOrganization, ManualClock, rawTotals } from './helpers.js'

t.test('graceful shutdown loses no counted event: close flushes, the next instance aggregates it', async (t) => {
  const clock = new ManualClock('2026-08-05T23:00:00Z')
  const first = await buildApp(t, { core: { clock } })
  const organization = await createOrganization(first)
  const token = await accessToken(first, organization.clientId, organization.clientSecret)
  for (let i = 0; i < 25; i++) {
    await first.inject({ method: 'GET', url: `/api/v1/agents/${organization.agentId}`, headers: { authorization: `Bearer ${token}` } })
  }
  // Well before the 60 s flush: only the close writes these.
  await first.close()

  clock.advanceDays(1)
  const second = await buildApp(t, { core: { clock } })
  const raw = await rawTotals(second, organization.organizationId)
  t.equal(raw.get(`${organization.agentId}|api_call|2026-08-05`), 25)
  t.equal(raw.get(`${organization.agentId}|token_issued|2026-08-05`), 1)
  await second.analytics.aggregator.run()
  const { rows } = await second.sentryagent.db.query<{ count: string }>(
    'SELECT count FROM analytics_daily_aggregates WHERE tenant_id = $1 AND agent_id = $2 AND metric_type = $3 AND date = $4',
    [organization.organizationId, organization.agentId, 'api_call', '2026-08-05'])
  t.equal(Number(rows[0]?.count), 25)
})

t.test('with Redis gone, the BullMQ scheduler closes at once instead of waiting for it', async (t) => {
  // Port 1 on loopback: nothing listens, so the connection never becomes ready.
  const unreachable = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true })
  const scheduler = new BullMqAggregationScheduler(unreachable, `closing-${Date.now()}`, { pattern: '5 0 * * *', attempts: 1, backoffMs: 10 }, async () => {}, Fastify().log)
  const started = performance.now()
  await scheduler.close()
  const elapsed = performance.now() - started
  t.ok(elapsed < 1_000, `closed in ${elapsed.toFixed(0)} ms`)
})

t.test('a close without Redis leaves nothing of BullMQ\'s to keep the process alive or come back with Redis', async (t) => {
  const started = performance.now()
  const { stdout, code, signal } = await new Promise<{ stdout: string, code: number | null, signal: string | null }>((resolve) => {
    const child = execFile(process.execPath, [fileURLToPath(new URL('fixtures/close-without-redis.mjs', import.meta.url))], { timeout: 30_000 }, (_error, stdout) => {
      resolve({ stdout, code: child.exitCode, signal: child.signalCode })
    })
  })
  t.equal(signal, null, 'the process ended by itself, not by the 30 s kill')
  t.equal(code, 0)
  t.equal(stdout.trim(), '1', 'once Redis is back, the only client is the check\'s own')
  t.comment(`process ended ${((performance.now() - started) / 1000).toFixed(1)} s after it started`)
})
