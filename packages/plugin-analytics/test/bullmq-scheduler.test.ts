import { randomUUID } from 'node:crypto'
import t from 'tap'
import { Redis } from 'ioredis'
import { Queue } from 'bullmq'
import { QUEUE_PREFIX, type BullMqAggregationScheduler } from '../src/scheduling/bullmq-scheduler.js'
import { adminSession, aggregateTotals, buildApp, insertUsage, redisUrl, type Teardown } from './helpers.js'

function redisFor (t: Teardown): Redis {
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 })
  t.teardown(() => redis.disconnect())
  return redis
}

t.test('with Redis the job is a BullMQ job scheduler "5 0 * * *" UTC, and its worker runs the aggregation', async (t) => {
  const queueName = `analytics-test-${randomUUID()}`
  const redis = redisFor(t)
  const app = await buildApp(t, { analytics: { schedule: true, redis, queueName } })
  const scheduler = app.analytics.scheduler as BullMqAggregationScheduler
  const stored = await scheduler.describe()
  t.equal(stored?.pattern, '5 0 * * *')
  t.equal(stored?.tz, 'UTC')
  t.ok((stored?.next ?? 0) > Date.now())

  const admin = await adminSession(app)
  await insertUsage(app, [{ tenantId: admin.organizationId, agentId: admin.agentId, metric: 'api_call', day: '2026-01-05', count: 3 }])
  await scheduler.runNow()
  t.equal((await aggregateTotals(app, admin.organizationId)).get(`${admin.agentId}|api_call|2026-01-05`), 3)
})

t.test('several instances share one scheduler: one pending job per firing', async (t) => {
  const queueName = `analytics-test-${randomUUID()}`
  const redis = redisFor(t)
  await buildApp(t, { analytics: { schedule: true, redis, queueName } })
  await buildApp(t, { analytics: { schedule: true, redis, queueName } })
  const connection = redis.duplicate({ maxRetriesPerRequest: null })
  const queue = new Queue(queueName, { connection, prefix: QUEUE_PREFIX })
  t.teardown(async () => {
    await queue.obliterate({ force: true })
    await queue.close()
    connection.disconnect()
  })
  t.equal(await queue.getJobSchedulersCount(), 1)
  t.equal(await queue.getDelayedCount(), 1)
})

t.test('a failing job is retried with backoff and succeeds once the cause is gone', async (t) => {
  const queueName = `analytics-test-${randomUUID()}`
  const redis = redisFor(t)
  const app = await buildApp(t, { analytics: { schedule: true, redis, queueName, attempts: 3, backoffMs: 50 } })
  const admin = await adminSession(app)
  const day = '2026-01-06'
  await insertUsage(app, [{ tenantId: admin.organizationId, agentId: admin.agentId, metric: 'api_call', day, count: 2 }])
  const aggregator = app.analytics.aggregator
  const realRun = aggregator.run.bind(aggregator)
  let calls = 0
  aggregator.run = async () => {
    calls++
    if (calls === 1) throw new Error('PostgreSQL restarting')
    return realRun()
  }
  t.teardown(() => { aggregator.run = realRun })
  await (app.analytics.scheduler as BullMqAggregationScheduler).runNow()
  t.equal(calls, 2)
  t.equal((await aggregateTotals(app, admin.organizationId)).get(`${admin.agentId}|api_call|${day}`), 2)
})
