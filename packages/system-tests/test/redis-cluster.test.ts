import t from 'tap'
import { Queue } from 'bullmq'
import { openRuntime, readConfig } from '@sentryagent/server'
import { databaseUrl } from '@sentryagent/test-support'
import {
  API, call, checkFreeTierLimitHolds, checkRevocationPropagates, clientToken, createOrganizations, freshDatabase, OwnRedisCluster,
  serverEnvironment, ServerProcess, sleep, startTogether, waitFor
} from '../src/index.js'

// Two instances on one PostgreSQL and a Redis Cluster of three masters (REDIS_CLUSTER=true).
const INSTANCES = 2
// The plugin's queue prefix: one hash tag, so that BullMQ's multi-key scripts stay in one slot.
const QUEUE_PREFIX = '{sentryagent}'

const cluster = new OwnRedisCluster(3)
const database = await freshDatabase(databaseUrl(), 'redis_cluster')
let servers: ServerProcess[] = []
t.teardown(async () => {
  await Promise.all(servers.map((server) => server.stop()))
  await database.drop()
  await cluster.destroy()
})
await cluster.start()
const env = serverEnvironment(database.url, cluster.url, { REDIS_CLUSTER: 'true', TIER_RATE_LIMITING_ENABLED: 'true', A2A_ENABLED: 'true', ANALYTICS_ENABLED: 'true' })
servers = Array.from({ length: INSTANCES }, (_, index) => new ServerProcess(`instance-${index}`, env))
await startTogether(servers)
const [free, enterprise] = await createOrganizations(env, ['free', 'enterprise'])
// The server's own Redis client and store, opened as the instances open them.
const runtime = await openRuntime(readConfig({ ...env, LOG_LEVEL: 'silent' }))
t.teardown(async () => { await runtime.close() })

t.test('every instance reports the cluster up, and a token issued by one is honoured by the other', async (t) => {
  for (const server of servers) {
    const health = await call(server.url, 'GET', '/health')
    t.equal(health.status, 200, `${server.name}: ${health.text}`)
    t.match(health.body, { services: { cache: 'up' } }, `${server.name} reports the cache up`)
  }
  const token = await clientToken(servers[0]!.url, enterprise!.clientId, enterprise!.clientSecret)
  for (const server of servers) {
    t.equal((await call(server.url, 'GET', `${API}/agents/${enterprise!.agentId}`, { token })).status, 200, `${server.name} serves an authenticated read`)
  }
})

t.test('a token revoked (RFC 7009) on one instance is refused by the other', async (t) => {
  const token = await clientToken(servers[1]!.url, enterprise!.clientId, enterprise!.clientSecret)
  const read = async (server: ServerProcess): Promise<number> => (await call(server.url, 'GET', `${API}/agents/${enterprise!.agentId}`, { token })).status
  t.equal(await read(servers[1]!), 200, 'valid before the revocation')
  const revoked = await call(servers[0]!.url, 'POST', `${API}/token/revoke`, { token, body: { token } })
  t.equal(revoked.status, 200, revoked.text)
  t.equal(await read(servers[1]!), 401, 'refused by the other instance at once')
  t.equal(await read(servers[0]!), 401, 'and by the one that revoked it')
})

t.test('the free tier rate limit holds across instances with zero over-admission', async (t) => {
  await checkFreeTierLimitHolds(t, servers, free!, { concurrency: 16, requests: 100 })
})

t.test('a delegation revoked on one instance is refused on the other within 100 ms', async (t) => {
  await checkRevocationPropagates(t, servers, enterprise!)
})

t.test('a broadcast published on any node reaches a store\'s subscriber, which knows it listens', async (t) => {
  const heard: string[] = []
  await runtime.store.subscribe('system-test:cluster', (message) => heard.push(message))
  await waitFor(async () => runtime.store.listening, 5000, 'the store to confirm it listens')
  for (const port of cluster.ports) cluster.cli(port, 'publish', 'system-test:cluster', `from ${port}`)
  await runtime.store.publish('system-test:cluster', 'through the store')
  await waitFor(async () => heard.length === cluster.ports.length + 1, 5000, 'every broadcast to arrive')
  t.same(heard.sort(), [...cluster.ports.map((port) => `from ${port}`), 'through the store'].sort())

  // Its connection cut (wherever it is), the store knows it may have missed some, and says when it listens again.
  let resumed = 0
  runtime.store.onListeningResumed(() => { resumed++ })
  for (const port of cluster.ports) cluster.cli(port, 'client', 'kill', 'type', 'pubsub')
  await waitFor(async () => resumed === 1 && runtime.store.listening, 5000, 'the store to listen again')
  await runtime.store.publish('system-test:cluster', 'after the cut')
  await waitFor(async () => heard.includes('after the cut'), 5000, 'the broadcast after the cut')
  t.pass('listening resumed after the subscriber\'s connection was cut, and broadcasts arrive again')
})

t.test('the aggregation job is scheduled and run through the cluster, once per firing', async (t) => {
  // The daily schedule is re-timed to every second (as any instance's upsert would) so that the
  // workers run it a few times.
  const queue = new Queue('sentryagent-analytics', { connection: runtime.redis!, prefix: QUEUE_PREFIX })
  t.teardown(async () => { await queue.close() })
  t.equal(await queue.getJobSchedulersCount(), 1, 'the instances share one job scheduler')
  const firstFiring = Date.now()
  await queue.upsertJobScheduler('analytics-daily-aggregation', { every: 1000 }, { name: 'aggregate-usage', opts: { removeOnComplete: false, removeOnFail: false } })
  await sleep(3500)
  await queue.removeJobScheduler('analytics-daily-aggregation')
  for (let waited = 0; waited < 10_000 && (await queue.getActiveCount() + await queue.getWaitingCount()) > 0; waited += 100) await sleep(100)
  const jobs = (await queue.getJobs(['completed', 'failed'])).filter((job) => job.id?.startsWith('repeat:analytics-daily-aggregation:') === true && job.timestamp >= firstFiring - 1000)
  const failed = jobs.filter((job) => job.failedReason !== undefined)
  t.comment(`aggregation on the cluster: ${jobs.length} firings in ${Date.now() - firstFiring} ms, attempts per job ${jobs.map((job) => job.attemptsMade).join(',')}, ${failed.length} failed`)
  t.ok(jobs.length >= 2, 'the schedule fired and its jobs ran')
  t.same(failed.map((job) => job.failedReason), [], 'no run failed')
  t.ok(jobs.every((job) => job.attemptsMade === 1 && job.finishedOn !== undefined), 'each firing ran once, to completion')
})

t.test('the keys are spread over the cluster\'s nodes, and no command crossed slots', async (t) => {
  // `{revocations}` (slot 10721) and `{sentryagent}` (slot 2591) alone are on two different nodes
  // of three; the tenants' tags fall wherever their ids hash.
  const keysPerNode = cluster.ports.map((port) => Number(cluster.cli(port, 'dbsize')))
  t.comment(`keys per node: ${keysPerNode.join(', ')}`)
  t.ok(keysPerNode.filter((count) => count > 0).length >= 2, 'more than one node holds keys')
  for (const server of servers) {
    t.ok(server.running, `${server.name} still runs`)
    t.notMatch(server.output, /CROSSSLOT/, `${server.name} logged no CROSSSLOT error`)
    t.notMatch(server.output, /"statusCode":5\d\d/, `${server.name} logged no 5xx response`)
  }
})
