import { readdirSync } from 'node:fs'
import t from 'tap'
import { Queue, QueueEvents } from 'bullmq'
import { databaseUrl, redisUrl } from '@sentryagent/test-support'
import {
  call, checkFreeTierLimitHolds, checkRevocationPropagates, createOrganizations, freshDatabase, queryRows, redisDatabase,
  runLoad, serverEnvironment, ServerProcess, sleep, startTogether, statusCounts
} from '../src/index.js'

// Three stateless instances on one PostgreSQL and one Redis, behind a round-robin client.
const INSTANCES = 3

const database = await freshDatabase(databaseUrl(), 'scale_out')
// Logical database 1 of the test Redis: this scenario's queue and counters only.
const env = serverEnvironment(database.url, redisDatabase(redisUrl(), 1), { TIER_RATE_LIMITING_ENABLED: 'true', A2A_ENABLED: 'true', ANALYTICS_ENABLED: 'true' })
const servers = Array.from({ length: INSTANCES }, (_, index) => new ServerProcess(`instance-${index}`, env))
t.teardown(async () => {
  await Promise.all(servers.map((server) => server.stop()))
  await database.drop()
})
await startTogether(servers)
const [free, enterprise] = await createOrganizations(env, ['free', 'enterprise'])

t.test('migrations are applied exactly once when all instances start at the same moment', async (t) => {
  const packages = new URL('../../', import.meta.url)
  const expected = readdirSync(packages).flatMap((name) => {
    try {
      return readdirSync(new URL(`${name}/migrations/`, packages)).filter((file) => file.endsWith('.sql')).map((file) => Number.parseInt(file, 10))
    } catch {
      return []
    }
  }).sort((a, b) => a - b)
  const rows = await queryRows<{ version: number, applied_at: Date }>(database.url, 'SELECT version, applied_at FROM schema_migrations ORDER BY version')
  t.same(rows.map((row) => row.version), expected, 'every migration of every package, each once')
  const times = rows.map((row) => row.applied_at.getTime())
  t.comment(`migrations: ${rows.length} applied once each by ${INSTANCES} instances started together (versions ${expected.join(',')}; applied within ${Math.max(...times) - Math.min(...times)} ms)`)
  t.ok(servers.every((server) => server.running), 'no instance died on a migration race')
})

t.test('the free tier rate limit holds across instances with zero over-admission', async (t) => {
  await checkFreeTierLimitHolds(t, servers, free!, { concurrency: 24, requests: 150 })
})

t.test('a delegation revoked on one instance is refused on the others within 100 ms', async (t) => {
  await checkRevocationPropagates(t, servers, enterprise!)
})

t.test('the aggregation job runs exactly once per schedule across instances', async (t) => {
  // The plugin's cron is daily; the server does not expose it. Its scheduler lives in Redis,
  // shared by every instance: re-timing it there to every second (as any instance's upsert would)
  // fires it a few times while the three workers compete, without waiting for 00:05 UTC.
  const connection = { url: env.REDIS_URL! }
  // The plugin's queue prefix (QUEUE_PREFIX in plugin-analytics): a hash tag, so that it works on a Redis Cluster.
  const queue = new Queue('sentryagent-analytics', { connection, prefix: '{sentryagent}' })
  const events = new QueueEvents('sentryagent-analytics', { connection, prefix: '{sentryagent}' })
  t.teardown(async () => {
    await events.close()
    await queue.close()
  })
  await events.waitUntilReady()
  const completions: string[] = []
  events.on('completed', ({ jobId }) => completions.push(jobId))
  const failures: string[] = []
  events.on('failed', ({ jobId, failedReason }) => failures.push(`${jobId}: ${failedReason}`))

  const firstFiring = Date.now()
  await queue.upsertJobScheduler('analytics-daily-aggregation', { every: 1000 }, { name: 'aggregate-usage', opts: { removeOnComplete: false, removeOnFail: false } })
  await sleep(5000)
  await queue.removeJobScheduler('analytics-daily-aggregation')
  const lastFiring = Date.now()
  // Let the last firing's job finish.
  for (let waited = 0; waited < 10_000 && (await queue.getActiveCount() + await queue.getWaitingCount()) > 0; waited += 100) await sleep(100)
  await sleep(300)

  const jobs = (await queue.getJobs(['completed', 'failed'])).filter((job) => job.id?.startsWith('repeat:analytics-daily-aggregation:') === true && (job.timestamp ?? 0) >= firstFiring - 1000)
  const firings = new Set(jobs.map((job) => job.id))
  const runsPerJob = new Map<string, number>()
  for (const id of completions) if (firings.has(id)) runsPerJob.set(id, (runsPerJob.get(id) ?? 0) + 1)
  const runs = [...runsPerJob.values()].reduce((sum, count) => sum + count, 0)
  t.comment(`aggregation: ${firings.size} firings in ${lastFiring - firstFiring} ms (every 1 s), ${runs} runs across ${INSTANCES} workers, ${failures.length} failed; runs per firing: ${[...runsPerJob.values()].join(',')}`)
  t.ok(firings.size >= 3, 'the schedule fired several times')
  t.equal(jobs.length, firings.size, 'one job per firing')
  t.same(failures, [], 'no run failed')
  t.equal(runs, firings.size, 'each firing ran exactly once')
  t.ok([...runsPerJob.values()].every((count) => count === 1), 'no firing ran twice')
})

t.test('every instance served the scenario without a server error', async (t) => {
  for (const server of servers) {
    t.ok(server.running, `${server.name} still runs`)
    t.notMatch(server.output, /"statusCode":5\d\d/, `${server.name} logged no 5xx response`)
  }
  const answer = await call(servers[1]!.url, 'GET', '/health')
  t.equal(answer.status, 200)
})

// Keeps the helper honest for the check above: the load driver itself records every status.
t.test('the load driver reports each status it met', async (t) => {
  const outcomes = await runLoad(() => ({ target: servers[2]!.url, method: 'GET', path: '/health', tag: 'health' }), { concurrency: 2, requests: 4 })
  t.same(statusCounts(outcomes), { 200: 4 })
})
