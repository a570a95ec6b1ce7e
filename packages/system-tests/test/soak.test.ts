import { randomUUID } from 'node:crypto'
import t from 'tap'
import { databaseUrl, redisUrl } from '@sentryagent/test-support'
import {
  afterWarmUp, API, clientToken, createAgent, createOrganizations, freePorts, freshDatabase, growthBound, liveHeapGrowth, median,
  percentile, redisDatabase, runLoad, samplingNodeOptions, sampleUntil, send, serverEnvironment, ServerProcess, sleep, startTogether, statusCounts, WARM_UP_FRACTION,
  type AgentWithSecret, type HeapGrowth, type LoadRequest, type Outcome, type ProcessSample
} from '../src/index.js'

// 60 s by default (CI); `pnpm soak` runs the full 600 s. Two instances on the shared services.
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 60)
// At least six samples after the warm-up; at most what the tenants' access tokens (issued once, an hour) allow.
if (!(SOAK_SECONDS >= 40 && SOAK_SECONDS <= 3000)) throw new Error(`SOAK_SECONDS must be between 40 and 3000, not ${process.env.SOAK_SECONDS}`)
const INSTANCES = 2
const RATE_PER_SECOND = 150
// Of which delegation lives (issue, verify on the other instance, revoke): three requests each.
const DELEGATIONS_PER_SECOND = 5
// Sent unpaced before the clock starts: code gets compiled and pools filled before anything is measured.
const WARM_UP_REQUESTS = 3000
// About 60 samples, at least 5 s apart: each forces a full collection (a pause of ~100 ms) on every instance.
const SAMPLE_MS = Math.max(5000, (SOAK_SECONDS * 1000) / 60)
const CHUNK_MS = 10_000
// prom-client samples the loop every 10 ms, so 10 ms is an idle loop. The median interval's p99
// says how the loop fares under the load; the worst one catches a stall however rare.
const LAG_P99_MEDIAN_BOUND_MS = 100
const LAG_P99_MAX_BOUND_MS = 1000
const MIB = 2 ** 20
const HEAP_GROWTH_BOUND = growthBound(SOAK_SECONDS)

t.setTimeout((SOAK_SECONDS + 180) * 1000)
const database = await freshDatabase(databaseUrl(), 'soak')
// Logical database 3 of the test Redis. A per-address limit the anonymous requests can't reach:
// the tier limits (enterprise: 6,000 a minute per tenant) are the ones in play, and never reached.
const env = serverEnvironment(database.url, redisDatabase(redisUrl(), 3), { RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'warn' })
// Chosen together with the servers' own ports, so that no two of them can be the same.
const ports = await freePorts(2 * INSTANCES)
const inspectorPorts = ports.slice(INSTANCES)
const servers = inspectorPorts.map((port, index) => new ServerProcess(`instance-${index}`, { ...env, NODE_OPTIONS: samplingNodeOptions(port) }))
servers.forEach((server, index) => { server.port = ports[index]! })
t.teardown(async () => {
  await Promise.all(servers.map((server) => server.stop()))
  await database.drop()
})
await startTogether(servers)

// Two tenants, each with an agent that reads and delegates and one that receives delegations.
interface Tenant { admin: string, worker: AgentWithSecret, workerToken: string, delegatee: AgentWithSecret }
const tenants: Tenant[] = []
for (const organization of await createOrganizations(env, ['enterprise', 'enterprise'])) {
  const url = servers[0]!.url
  const admin = await clientToken(url, organization.clientId, organization.clientSecret)
  const worker = await createAgent(url, admin, ['agents:read'])
  const delegatee = await createAgent(url, admin, ['agents:read'])
  tenants.push({ admin, worker, workerToken: await clientToken(url, worker.agentId, worker.clientSecret), delegatee })
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })
const jsonBody = (body: unknown, headers: Record<string, string> = {}): Pick<LoadRequest, 'headers' | 'body'> =>
  ({ headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) })
const credentials = (tenant: Tenant, secret: string): unknown => ({ grant_type: 'client_credentials', client_id: tenant.worker.agentId, client_secret: secret })

// Each kind of request and the only answer it may get (no 429: the load stays under every limit).
const EXPECTED: Record<string, number> = {
  token: 200, agent: 200, agents: 200, introspect: 200, tiers: 200, health: 200, audit: 200, 'tier status': 200,
  'no token': 401, 'wrong secret': 401, 'unknown agent': 404, 'invalid body': 400, delegate: 201, verify: 200, revoke: 200
}
type Kind = (tenant: Tenant) => Omit<LoadRequest, 'target'>
const times = (count: number, kind: Kind): Kind[] => Array.from({ length: count }, () => kind)
// One cycle of the stateless mix, 27 requests: reads dominate, as in production.
const MIX: Kind[] = [
  ...times(3, (tenant) => ({ tag: 'token', method: 'POST', path: `${API}/token`, ...jsonBody(credentials(tenant, tenant.worker.clientSecret)) })),
  ...times(8, (tenant) => ({ tag: 'agent', method: 'GET', path: `${API}/agents/${tenant.worker.agentId}`, headers: bearer(tenant.workerToken) })),
  ...times(3, (tenant) => ({ tag: 'agents', method: 'GET', path: `${API}/agents?limit=20`, headers: bearer(tenant.admin) })),
  ...times(3, (tenant) => ({ tag: 'introspect', method: 'POST', path: `${API}/token/introspect`, ...jsonBody({ token: tenant.workerToken }, bearer(tenant.admin)) })),
  ...times(2, () => ({ tag: 'tiers', method: 'GET', path: `${API}/tiers` })),
  ...times(2, () => ({ tag: 'health', method: 'GET', path: '/health' })),
  (tenant) => ({ tag: 'audit', method: 'GET', path: `${API}/audit?limit=20`, headers: bearer(tenant.admin) }),
  (tenant) => ({ tag: 'tier status', method: 'GET', path: `${API}/tiers/status`, headers: bearer(tenant.admin) }),
  (tenant) => ({ tag: 'no token', method: 'GET', path: `${API}/agents/${tenant.worker.agentId}` }),
  (tenant) => ({ tag: 'wrong secret', method: 'POST', path: `${API}/token`, ...jsonBody(credentials(tenant, 'wrong')) }),
  (tenant) => ({ tag: 'unknown agent', method: 'GET', path: `${API}/agents/${randomUUID()}`, headers: bearer(tenant.admin) }),
  (tenant) => ({ tag: 'invalid body', method: 'POST', path: `${API}/agents`, ...jsonBody({ email: 'not an address' }, bearer(tenant.admin)) })
]

// Round-robin over the instances; each tenant takes a whole cycle in turn.
function mixed (index: number): LoadRequest {
  const tenant = tenants[Math.floor(index / MIX.length) % tenants.length]!
  return { target: servers[index % INSTANCES]!.url, ...MIX[index % MIX.length]!(tenant) }
}

// Bodies are dropped as outcomes come in (a long run keeps ~100,000), but a server error's.
const outcomes: Outcome[] = []
let invalidVerifications = 0
function keep (batch: Outcome[]): void {
  for (const outcome of batch) outcomes.push({ ...outcome, body: outcome.status >= 500 ? outcome.body.slice(0, 300) : '' })
}

/** Paced batches of the stateless mix until the deadline: the chunks keep the memory of outcomes small. */
async function statelessLoad (ratePerSecond: number, deadline: number): Promise<void> {
  for (let issued = 0; performance.now() < deadline - 100;) {
    const first = issued
    const batch = await runLoad((index) => mixed(first + index), { concurrency: 32, durationMs: Math.min(CHUNK_MS, deadline - performance.now()), timeoutMs: 10_000, ratePerSecond })
    issued += batch.length
    keep(batch)
  }
}

/** A delegation's life across instances: issued on one, verified on the other, revoked there. */
async function delegationLives (deadline: number): Promise<void> {
  const begin = performance.now()
  for (let life = 0; performance.now() < deadline; life++) {
    await sleep(Math.max(0, begin + life * (1000 / DELEGATIONS_PER_SECOND) - performance.now()))
    const tenant = tenants[life % tenants.length]!
    const [issuer, verifier] = life % 2 === 0 ? [servers[0]!, servers[1]!] : [servers[1]!, servers[0]!]
    const headers = bearer(tenant.workerToken)
    const issued = await send({ tag: 'delegate', target: issuer.url, method: 'POST', path: `${API}/oauth2/token/delegate`, ...jsonBody({ delegateeAgentId: tenant.delegatee.agentId, scopes: ['agents:read'], ttlSeconds: 600 }, headers) })
    keep([issued])
    if (issued.status !== 201) continue
    const { chainId, delegationToken } = JSON.parse(issued.body) as { chainId: string, delegationToken: string }
    const verified = await send({ tag: 'verify', target: verifier.url, method: 'POST', path: `${API}/oauth2/token/verify-delegation`, ...jsonBody({ delegationToken }, headers) })
    if (verified.status === 200 && (JSON.parse(verified.body) as { valid: boolean }).valid !== true) invalidVerifications++
    keep([verified, await send({ tag: 'revoke', target: verifier.url, method: 'DELETE', path: `${API}/oauth2/token/delegate/${chainId}`, headers })])
  }
}

await runLoad(mixed, { concurrency: 16, requests: WARM_UP_REQUESTS, timeoutMs: 10_000 })

t.test(`soak: ${SOAK_SECONDS} s of mixed traffic at ${RATE_PER_SECOND} requests/s over ${INSTANCES} instances`, async (t) => {
  const sampling = new AbortController()
  const sampled = sampleUntil(servers.map((server, index) => ({ url: server.url, inspectorPort: inspectorPorts[index]! })), SAMPLE_MS, sampling.signal)
  const begin = performance.now()
  const deadline = begin + SOAK_SECONDS * 1000
  await Promise.all([statelessLoad(RATE_PER_SECOND - 3 * DELEGATIONS_PER_SECOND, deadline), delegationLives(deadline)])
  const elapsedSeconds = (performance.now() - begin) / 1000
  sampling.abort()
  const series = await sampled

  const rate = outcomes.length / elapsedSeconds
  const instances = series.map((samples, index) => instanceFigures(servers[index]!, samples))
  t.comment([
    `soak: ${SOAK_SECONDS} s, ${INSTANCES} instances, target ${RATE_PER_SECOND} requests/s; live heap read every ${(SAMPLE_MS / 1000).toFixed(0)} s after a forced full collection, trends after the first ${WARM_UP_FRACTION * 100} %`,
    `requests: ${outcomes.length} (${rate.toFixed(1)}/s); statuses ${JSON.stringify(statusCounts(outcomes))}; latency p50 ${percentile(outcomes, 50).toFixed(1)} ms, p99 ${percentile(outcomes, 99).toFixed(1)} ms`,
    `by kind: ${Object.keys(EXPECTED).map((tag) => `${tag} ${outcomes.filter((outcome) => outcome.tag === tag).length}`).join(', ')}`,
    ...instances.map(({ summary }) => summary)
  ].join('\n'))

  t.same(outcomes.filter((outcome) => outcome.status >= 500 || outcome.status === 0).map((outcome) => `${outcome.tag} ${outcome.status} ${outcome.error ?? outcome.body}`), [], 'no 5xx, no request unanswered')
  t.same(outcomes.filter((outcome) => outcome.status !== EXPECTED[outcome.tag]).map((outcome) => `${outcome.tag} ${outcome.status}`).slice(0, 20), [], 'every request got the answer its kind expects')
  t.equal(invalidVerifications, 0, 'every live delegation verified valid on the other instance')
  t.ok(Math.abs(rate - RATE_PER_SECOND) <= RATE_PER_SECOND * 0.1, `achieved ${rate.toFixed(1)} requests/s, within 10 % of ${RATE_PER_SECOND}`)
  for (const { server, growth, lags } of instances) {
    t.ok(lags.length >= 6, `${server.name}: ${lags.length} samples after warm-up`)
    t.notOk(growth.leaking, `${server.name}: live heap grows ${mib(growth.bytesPerMinute, 2)} ± ${mib(2 * growth.standardError, 2)} MiB/min, not above ${HEAP_GROWTH_BOUND / MIB}`)
    t.ok(median(lags) < LAG_P99_MEDIAN_BOUND_MS, `${server.name}: event-loop lag p99 of the median interval ${median(lags).toFixed(1)} ms < ${LAG_P99_MEDIAN_BOUND_MS} ms`)
    t.ok(Math.max(...lags) < LAG_P99_MAX_BOUND_MS, `${server.name}: event-loop lag p99 of the worst interval ${Math.max(...lags).toFixed(1)} ms < ${LAG_P99_MAX_BOUND_MS} ms`)
    t.ok(server.running, `${server.name} still runs`)
    t.notMatch(server.output, /"level":(50|60)/, `${server.name} logged no error`)
  }
})

const mib = (bytes: number, digits = 1): string => (bytes / MIB).toFixed(digits)

function instanceFigures (server: ServerProcess, samples: ProcessSample[]): { server: ServerProcess, growth: HeapGrowth, lags: number[], summary: string } {
  const first = samples[0]!
  const last = samples[samples.length - 1]!
  const growth = liveHeapGrowth(samples, HEAP_GROWTH_BOUND)
  const lags = afterWarmUp(samples.map((sample) => ({ x: sample.at, y: sample.lagP99Seconds * 1000 })), WARM_UP_FRACTION).map(({ y }) => y)
  const summary = `${server.name}: RSS ${mib(first.rssBytes)} → ${mib(last.rssBytes)} MiB; live heap ${mib(first.liveHeapBytes)} → ${mib(last.liveHeapBytes)} MiB, ` +
    `trend ${mib(growth.bytesPerMinute, 2)} ± ${mib(2 * growth.standardError, 2)} MiB/min (bound ${HEAP_GROWTH_BOUND / MIB}); ` +
    `external ${mib(first.externalBytes)} → ${mib(last.externalBytes)} MiB; event-loop lag p99 per interval: median ${median(lags).toFixed(1)} ms, worst ${Math.max(...lags).toFixed(1)} ms; ` +
    `forced collections ${median(samples.map((sample) => sample.collectionMs)).toFixed(0)} ms (median)`
  return { server, growth, lags, summary }
}
