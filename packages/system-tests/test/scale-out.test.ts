import { readdirSync } from 'node:fs'
import t from 'tap'
import { Queue, QueueEvents } from 'bullmq'
import { databaseUrl, redisUrl } from '@sentryagent/test-support'
import {
  API, call, clientToken, createAgent, createOrganizations, delegate, freshDatabase, isSuccess, queryRows, redisDatabase,
  runLoad, scrapeCounter, serverEnvironment, ServerProcess, sleep, startTogether, statusCounts
} from '../src/index.js'

// Three stateless instances on one PostgreSQL and one Redis, behind a round-robin client.
const INSTANCES = 3
const REVOCATION_BUDGET_MS = 100

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
  const token = await clientToken(servers[0]!.url, free!.clientId, free!.clientSecret)
  const startedAt = Date.now()
  const outcomes = await runLoad((index) => ({
    target: servers[index % INSTANCES]!.url,
    method: 'GET',
    path: `${API}/agents/${free!.agentId}`,
    headers: { authorization: `Bearer ${token}` },
    tag: 'read'
  }), { concurrency: 24, requests: 150 })
  const endedAt = Date.now()
  // Fixed windows aligned on the clock: 10 per one-second window and 60 per minute for free.
  const seconds = Math.floor(endedAt / 1000) - Math.floor(startedAt / 1000) + 1
  const minutes = Math.floor(endedAt / 60_000) - Math.floor(startedAt / 60_000) + 1
  const bound = Math.min(10 * seconds, 60 * minutes)
  const admitted = outcomes.filter(isSuccess).length
  const counts = statusCounts(outcomes)
  const failedOpen = await scrapeCounter(servers.map((server) => server.url), 'agentidp_rate_limit_decisions_total', { outcome: 'failed_open' })
  t.comment(`rate limit: ${outcomes.length} requests round-robin over ${INSTANCES} instances in ${endedAt - startedAt} ms (${seconds} one-second windows): ${admitted} admitted, ${counts[429] ?? 0} refused with 429; limit ${bound}; over-admission ${Math.max(0, admitted - bound)}; decisions failed open (store slower than the decision timeout): ${failedOpen}`)
  // Decisions the limiter itself made are exact across instances…
  t.ok(admitted - failedOpen <= bound, `admitted ${admitted} − failed open ${failedOpen} ≤ ${bound}`)
  // …and none fails open while Redis is up: the 50 ms deadline bounds the store round trip only.
  t.ok(admitted <= bound, `admitted ${admitted} ≤ ${bound}`)
  t.ok(admitted > 0, 'requests within the limit pass')
  t.equal(admitted + (counts[429] ?? 0), outcomes.length, 'every other request is a 429')
  t.ok(outcomes.filter((outcome) => outcome.status === 429).every((outcome) => outcome.retryAfter !== null), 'every 429 says when to retry')
})

t.test('a delegation revoked on one instance is refused on the others within 100 ms', async (t) => {
  const admin = await clientToken(servers[0]!.url, enterprise!.clientId, enterprise!.clientSecret)
  const delegatee = await createAgent(servers[0]!.url, admin, ['agents:read'])
  const { chainId, delegationToken } = await delegate(servers[0]!.url, admin, delegatee.agentId, ['agents:read'])
  const verify = async (server: ServerProcess): Promise<boolean> => {
    const answer = await call(server.url, 'POST', `${API}/oauth2/token/verify-delegation`, { token: admin, body: { delegationToken } })
    if (answer.status !== 200) throw new Error(`verify-delegation answered ${answer.status} ${answer.text}`)
    return (answer.body as { valid: boolean }).valid
  }
  // Every instance has verified (and may have cached) the link before it is revoked.
  t.same(await Promise.all(servers.map(verify)), [true, true, true], 'valid everywhere before the revocation')

  const revoked = await call(servers[0]!.url, 'DELETE', `${API}/oauth2/token/delegate/${chainId}`, { token: admin })
  const returnedAt = performance.now()
  t.equal(revoked.status, 200, `DELETE answered ${revoked.text}`)
  // Polls each other instance back to back; a poll's send time says when a request reached it.
  const polls = await Promise.all(servers.slice(1).map(async (server) => {
    const valid: number[] = []
    for (;;) {
      const sentAt = performance.now() - returnedAt
      if (!await verify(server)) return { server, valid, refusedSentAt: sentAt, refusedAt: performance.now() - returnedAt }
      valid.push(sentAt)
      if (sentAt > 5000) return { server, valid, refusedSentAt: Number.POSITIVE_INFINITY, refusedAt: Number.POSITIVE_INFINITY }
    }
  }))
  t.comment(`delegation revocation (budget ${REVOCATION_BUDGET_MS} ms after the DELETE returned): ${polls.map(({ server, valid, refusedSentAt, refusedAt }) =>
    `${server.name}: ${valid.length} poll(s) still valid (last sent at +${(valid.at(-1) ?? 0).toFixed(1)} ms), first refusal sent at +${refusedSentAt.toFixed(1)} ms, answered at +${refusedAt.toFixed(1)} ms`).join('; ')}`)
  for (const { server, valid, refusedSentAt } of polls) {
    t.ok(refusedSentAt < 5000, `${server.name} refuses the revoked delegation`)
    t.ok(valid.every((sentAt) => sentAt <= REVOCATION_BUDGET_MS), `${server.name} answered valid to no request sent later than ${REVOCATION_BUDGET_MS} ms after the revocation`)
  }
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
