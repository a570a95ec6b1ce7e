import t from 'tap'
import { nextDailyRun, retryDelay } from '../src/scheduling/schedule.js'
import { InProcessAggregationScheduler } from '../src/scheduling/in-process-scheduler.js'
import { adminSession, aggregateTotals, buildApp, insertUsage } from './helpers.js'

const silent = { warn: () => {}, error: () => {} } as never

t.test('the daily pattern fires at 00:05 UTC, the next day once past', async (t) => {
  t.equal(nextDailyRun('5 0 * * *', new Date('2026-03-01T00:04:59Z')).toISOString(), '2026-03-01T00:05:00.000Z')
  t.equal(nextDailyRun('5 0 * * *', new Date('2026-03-01T00:05:00Z')).toISOString(), '2026-03-02T00:05:00.000Z')
  t.equal(nextDailyRun('30 23 * * *', new Date('2026-12-31T23:45:00Z')).toISOString(), '2027-01-01T23:30:00.000Z')
  t.equal(retryDelay({ pattern: '5 0 * * *', attempts: 5, backoffMs: 100 }, 3), 400)
})

t.test('without Redis (embedded) the same handler runs from an in-process scheduler', async (t) => {
  const app = await buildApp(t, { analytics: { schedule: true } })
  t.type(app.analytics.scheduler, InProcessAggregationScheduler)
  const admin = await adminSession(app)
  await insertUsage(app, [{ tenantId: admin.organizationId, agentId: admin.agentId, metric: 'token_issued', day: '2026-01-07', count: 5 }])
  await app.analytics.scheduler!.runNow()
  t.equal((await aggregateTotals(app, admin.organizationId)).get(`${admin.agentId}|token_issued|2026-01-07`), 5)
})

t.test('the in-process scheduler fires on time, retries with backoff, then re-arms for the next day', async (t) => {
  let now = new Date('2026-03-01T00:04:59.950Z')
  const clock = { now: () => now }
  let calls = 0
  let done: () => void
  const finished = new Promise<void>((resolve) => { done = resolve })
  const scheduler = new InProcessAggregationScheduler({ pattern: '5 0 * * *', attempts: 3, backoffMs: 10 }, async () => {
    calls++
    if (calls < 3) throw new Error('not yet')
    now = new Date('2026-03-01T00:06:00Z')
    done()
  }, clock, silent)
  t.teardown(() => scheduler.close())
  // The scheduler's timers don't hold the process open (unref): this test must.
  const keepAlive = setInterval(() => {}, 1000)
  await scheduler.start()
  await finished
  clearInterval(keepAlive)
  t.equal(calls, 3)
})

t.test('runNow gives up after the last attempt and reports the failure', async (t) => {
  let calls = 0
  const scheduler = new InProcessAggregationScheduler({ pattern: '5 0 * * *', attempts: 2, backoffMs: 5 }, async () => {
    calls++
    throw new Error('still down')
  }, { now: () => new Date() }, silent)
  await t.rejects(scheduler.runNow(), /still down/)
  t.equal(calls, 2)
  await scheduler.close()
})

t.test('a scheduled run that fails every attempt waits for the next day', async (t) => {
  let now = new Date('2026-03-01T00:04:59.990Z')
  let calls = 0
  const scheduler = new InProcessAggregationScheduler({ pattern: '5 0 * * *', attempts: 2, backoffMs: 5 }, async () => {
    calls++
    now = new Date('2026-03-01T00:06:00Z')
    throw new Error('down')
  }, { now: () => now }, silent)
  await scheduler.start()
  await new Promise((resolve) => setTimeout(resolve, 200))
  await scheduler.close()
  t.equal(calls, 2, 'two attempts, then nothing until tomorrow')
})
