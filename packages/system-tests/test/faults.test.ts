import t, { type Test } from 'tap'
import {
  API, call, clientToken, createAgent, createOrganizations, delegate, freshDatabase, isSuccess, OwnPostgres, OwnRedis, percentile, queryRows,
  runLoad, send, serverEnvironment, ServerProcess, sleep, startTogether, statusCounts, waitFor, type AgentWithSecret, type LoadRequest, type Outcome
} from '../src/index.js'

// Faults need a PostgreSQL and a Redis this scenario may stop: its own, never the shared ones.
const INSTANCES = 3
const CONCURRENCY = 6
// A fixed rate, under the enterprise tier's 6,000 requests a minute over the whole scenario.
const RATE_PER_SECOND = 120
const OUTAGE_MS = 10_000
// Core's usage counter writes usage_events every 60 s and on a graceful close.
const USAGE_FLUSH_INTERVAL_MS = 60_000

const postgres = new OwnPostgres()
const redis = new OwnRedis()
const servers: ServerProcess[] = []
t.teardown(async () => {
  await Promise.all(servers.map((server) => server.stop('SIGKILL')))
  await redis.stop()
  postgres.destroy()
})
await postgres.init()
await redis.start()
const database = await freshDatabase(postgres.url, 'faults')
// Enterprise tenant and a generous per-address limit: the faults, not the limiter, shape the answers.
const env = serverEnvironment(database.url, redis.url, { RATE_LIMIT_PER_MINUTE: '1000000' })
for (let index = 0; index < INSTANCES; index++) servers.push(new ServerProcess(`instance-${index}`, env))
await startTogether(servers)
const startedAt = performance.now()

const [organization] = await createOrganizations(env, ['enterprise'])
const admin = await clientToken(servers[0]!.url, organization!.clientId, organization!.clientSecret)
// One agent per instance: its usage counts and audit events tell that instance's story.
const agents: AgentWithSecret[] = []
const tokens: string[] = []
for (const server of servers) {
  const agent = await createAgent(server.url, admin, ['agents:read'])
  agents.push(agent)
  tokens.push(await clientToken(server.url, agent.agentId, agent.clientSecret))
}

// Round-robin over the instances a load balancer would still use; every fourth request is an
// audited write (a token issuance), the others authenticated reads (counted as usage).
function mixedRequest (index: number): LoadRequest {
  const live = servers.map((server, position) => ({ server, position })).filter(({ server }) => server.accepting)
  return mixedRequestTo(live[index % live.length]!.position, index)
}

function mixedRequestTo (position: number, index: number): LoadRequest {
  const server = servers[position]!
  const agent = agents[position]!
  if (index % 4 === 3) {
    return {
      target: server.url,
      method: 'POST',
      path: `${API}/token`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: agent.agentId, client_secret: agent.clientSecret }),
      tag: `write:${position}`
    }
  }
  return { target: server.url, method: 'GET', path: `${API}/agents/${agent.agentId}`, headers: { authorization: `Bearer ${tokens[position]!}` }, tag: `read:${position}` }
}

const all: Outcome[] = []
async function loadDuring (durationMs: number, fault: () => Promise<void>): Promise<Outcome[]> {
  const loading = runLoad(mixedRequest, { concurrency: CONCURRENCY, durationMs, timeoutMs: 15_000, ratePerSecond: RATE_PER_SECOND })
  await fault()
  const outcomes = await loading
  all.push(...outcomes)
  return outcomes
}

/** Until every instance still serving answers an authenticated read and a token request again (its requests count as load). */
async function recovery (): Promise<number> {
  return waitFor(async () => {
    const answers = await Promise.all(servers.filter((server) => server.accepting).map(async (server) => {
      const position = servers.indexOf(server)
      const outcomes = [await send(mixedRequestTo(position, 0)), await send(mixedRequestTo(position, 3))]
      all.push(...outcomes)
      return outcomes.every(isSuccess)
    }))
    return answers.every(Boolean)
  }, 30_000, 'every instance to serve again', 100)
}

function describe (outcomes: Outcome[]): string {
  const during = outcomes.filter((outcome) => outcome.status === 503)
  return `${outcomes.length} requests, statuses ${JSON.stringify(statusCounts(outcomes))}, p50 ${percentile(outcomes, 50).toFixed(0)} ms, p99 ${percentile(outcomes, 99).toFixed(0)} ms, 503s with retry-after ${during.filter((outcome) => outcome.retryAfter !== null).length}/${during.length}`
}

function noServerErrors (t: Test, outcomes: Outcome[]): void {
  const errors = outcomes.filter((outcome) => outcome.status >= 500 && outcome.status !== 503)
  t.same(errors.map((outcome) => `${outcome.status} ${outcome.tag} ${outcome.body.slice(0, 200)}`), [], 'no 5xx but 503')
  t.ok(outcomes.filter((outcome) => outcome.status === 503).every((outcome) => outcome.retryAfter !== null), 'every 503 carries retry-after')
}

t.test('Redis restarted mid-load: 503 with retry-after while it is away, then recovery', async (t) => {
  let restartedAt = 0
  const outcomes = await loadDuring(4000, async () => {
    await sleep(1000)
    await redis.stop()
    await sleep(1000)
    await redis.start()
    restartedAt = performance.now()
  })
  const recoveredMs = await recovery() + (performance.now() - restartedAt)
  t.comment(`redis restart (down ~1 s, data lost): ${describe(outcomes)}; every instance serving again ${recoveredMs.toFixed(0)} ms after Redis came back`)
  noServerErrors(t, outcomes)
  t.same(outcomes.filter((outcome) => outcome.status === 0).map((outcome) => outcome.error), [], 'no request hung or was dropped')
})

t.test('a Redis that comes back empty brings back no revoked token, suspended agent or revoked delegation', async (t) => {
  const [revoked, suspended, delegatee] = [
    await createAgent(servers[0]!.url, admin, ['agents:read']),
    await createAgent(servers[0]!.url, admin, ['agents:read']),
    await createAgent(servers[0]!.url, admin, ['agents:read'])
  ]
  const revokedToken = await clientToken(servers[0]!.url, revoked.agentId, revoked.clientSecret)
  const suspendedToken = await clientToken(servers[0]!.url, suspended.agentId, suspended.clientSecret)
  const { chainId, delegationToken } = await delegate(servers[0]!.url, admin, delegatee.agentId, ['agents:read'])
  t.equal((await call(servers[0]!.url, 'POST', `${API}/token/revoke`, { token: admin, body: { token: revokedToken } })).status, 200)
  t.equal((await call(servers[0]!.url, 'PATCH', `${API}/agents/${suspended.agentId}`, { token: admin, body: { status: 'suspended' } })).status, 200)
  const verify = async (server: ServerProcess): Promise<unknown> =>
    (await call(server.url, 'POST', `${API}/oauth2/token/verify-delegation`, { token: admin, body: { delegationToken } })).body
  for (const server of servers) t.match(await verify(server), { valid: true }, `${server.name} has verified (and cached) the delegation`)

  await redis.stop()
  // A revocation committed by an instance whose broadcast never went out (Redis died between the two).
  await queryRows(database.url, 'UPDATE delegation_chains SET revoked_at = now() WHERE chain_id = $1', [chainId])
  await redis.start()
  await recovery()

  for (const server of servers) {
    const read = async (token: string, agentId: string): Promise<number> => (await call(server.url, 'GET', `${API}/agents/${agentId}`, { token })).status
    t.equal(await read(revokedToken, revoked.agentId), 401, `${server.name} still refuses the revoked token`)
    t.equal(await read(suspendedToken, suspended.agentId), 401, `${server.name} still refuses the suspended agent's token`)
    await t.resolves(waitFor(async () => (await verify(server) as { valid: boolean }).valid === false, 2000, 'the missed revocation to be seen'), `${server.name} refuses the delegation whose revocation broadcast was lost`)
  }
})

t.test('PostgreSQL stopped for 10 s mid-load: 503 with retry-after, then recovery', async (t) => {
  let restartedAt = 0
  const outcomes = await loadDuring(OUTAGE_MS + 3000, async () => {
    await sleep(1000)
    postgres.stop()
    await sleep(OUTAGE_MS)
    postgres.start()
    restartedAt = performance.now()
  })
  const recoveredMs = await recovery() + (performance.now() - restartedAt)
  t.comment(`postgresql stopped ${OUTAGE_MS / 1000} s: ${describe(outcomes)}; every instance serving again ${recoveredMs.toFixed(0)} ms after PostgreSQL came back`)
  noServerErrors(t, outcomes)
  t.same(outcomes.filter((outcome) => outcome.status === 0).map((outcome) => outcome.error), [], 'no request hung or was dropped')
})

let killedAt = 0
t.test('kill -9 of one instance mid-load: the others keep serving', async (t) => {
  const victim = servers[2]!
  const outcomes = await loadDuring(3000, async () => {
    await sleep(1500)
    await victim.stop('SIGKILL')
    killedAt = performance.now()
  })
  const dropped = outcomes.filter((outcome) => outcome.status === 0)
  t.comment(`kill -9 ${victim.name}: ${describe(outcomes)}; ${dropped.length} request(s) in flight on it got no answer`)
  noServerErrors(t, outcomes)
  t.ok(dropped.every((outcome) => outcome.target === victim.url), 'only requests in flight on the killed instance went unanswered')
})

t.test('SIGTERM of one instance mid-load: in-flight requests finish and it exits cleanly', async (t) => {
  const victim = servers[1]!
  let exitCode: number | null = null
  let shutdownMs = 0
  const outcomes = await loadDuring(3000, async () => {
    await sleep(1500)
    const signalledAt = performance.now()
    exitCode = await victim.stop('SIGTERM')
    shutdownMs = performance.now() - signalledAt
  })
  t.comment(`SIGTERM ${victim.name}: ${describe(outcomes)}; exit code ${exitCode} after ${shutdownMs.toFixed(0)} ms`)
  noServerErrors(t, outcomes)
  t.same(outcomes.filter((outcome) => outcome.status === 0).map((outcome) => `${outcome.tag} ${outcome.error}`), [], 'no request was dropped')
  t.equal(exitCode, 0, 'exits 0 after draining')
  if (exitCode !== 0) t.comment(victim.output.split('\n').filter((line) => !/"msg":"(incoming request|request completed)"/.test(line)).slice(-40).join('\n'))
})

t.test('nothing acknowledged was lost', async (t) => {
  await recovery()
  const audited = await queryRows<{ agent_id: string, count: string }>(database.url,
    "SELECT agent_id, count(*) FROM audit_events WHERE action = 'token.issued' AND outcome = 'success' GROUP BY agent_id")
  const usage = await queryRows<{ agent_id: string, count: string }>(database.url,
    "SELECT agent_id, sum(count) AS count FROM usage_events WHERE metric = 'api_call' GROUP BY agent_id")
  const countOf = (rows: Array<{ agent_id: string, count: string }>, agentId: string): number => Number(rows.find((row) => row.agent_id === agentId)?.count ?? 0)

  for (const [position, agent] of agents.entries()) {
    const writes = all.filter((outcome) => outcome.tag === `write:${position}`)
    const acknowledged = writes.filter(isSuccess).length
    const rows = countOf(audited, agent.agentId)
    // Tokens issued before the load (one per agent) are audited too.
    t.comment(`audit, ${servers[position]!.name}: ${acknowledged} token issuances acknowledged under load (+ setup), ${rows} token.issued events; lost ${Math.max(0, acknowledged + 1 - rows)}`)
    t.ok(rows >= acknowledged + 1, `${servers[position]!.name}: every acknowledged write is in the audit log`)
    t.ok(rows <= writes.filter((outcome) => outcome.status !== 0 || outcome.target === servers[2]!.url).length + 1, `${servers[position]!.name}: no event for a write never attempted`)
  }
  const verification = await call(servers[0]!.url, 'GET', `${API}/audit/verify`, { token: admin })
  t.comment(`audit chain: ${verification.text}`)
  t.equal(verification.status, 200)
  t.equal((verification.body as { valid: boolean }).valid, true, 'GET /audit/verify passes')

  // SIGTERM: the close flushed every count of the instance's authenticated requests.
  const graceful = agents[1]!
  const gracefulReads = all.filter((outcome) => outcome.tag === 'read:1')
  const gracefulCounted = countOf(usage, graceful.agentId)
  t.comment(`usage, SIGTERM ${servers[1]!.name}: ${gracefulReads.filter(isSuccess).length} reads acknowledged, ${gracefulReads.filter((outcome) => outcome.status !== 0).length} answered, ${gracefulCounted} api_call counted; lost ${Math.max(0, gracefulReads.filter(isSuccess).length - gracefulCounted)}`)
  t.ok(gracefulCounted >= gracefulReads.filter(isSuccess).length, 'graceful shutdown loses no usage counts')
  t.ok(gracefulCounted <= gracefulReads.filter((outcome) => outcome.status !== 0).length, 'and counts nothing twice')

  // kill -9: what was counted since the last flush is gone, at most one flush interval's worth.
  const killed = agents[2]!
  const killedReads = all.filter((outcome) => outcome.tag === 'read:2' && isSuccess(outcome))
  const lost = killedReads.length - countOf(usage, killed.agentId)
  const lastInterval = killedReads.filter((outcome) => outcome.endedAt >= killedAt - USAGE_FLUSH_INTERVAL_MS).length
  t.comment(`usage, kill -9 ${servers[2]!.name}: ${killedReads.length} reads acknowledged, ${countOf(usage, killed.agentId)} counted, lost ${lost} (${lastInterval} acknowledged in the last ${USAGE_FLUSH_INTERVAL_MS / 1000} s flush interval; the instance lived ${((killedAt - startedAt) / 1000).toFixed(0)} s)`)
  t.ok(lost <= lastInterval, 'kill -9 loses at most the last flush interval\'s counts')
})

t.test('the surviving instance logged no server error, and only structured lines', async (t) => {
  const output = servers[0]!.output
  t.notMatch(output, /"statusCode":5(?!03)\d\d/, `${servers[0]!.name} logged no 5xx but 503`)
  // Raw stack traces bypass the logger's redaction and its level.
  t.notMatch(output, /^Error: /m, 'no raw error printed while Redis was away')
})

t.test('SIGTERM while Redis is down still writes the usage counts', async (t) => {
  const server = new ServerProcess('instance-3', env)
  servers.push(server)
  await server.start()
  const agent = await createAgent(server.url, admin, ['agents:read'])
  const token = await clientToken(server.url, agent.agentId, agent.clientSecret)
  const reads = await runLoad(() => ({ target: server.url, method: 'GET', path: `${API}/agents/${agent.agentId}`, headers: { authorization: `Bearer ${token}` }, tag: 'read' }), { concurrency: 2, requests: 30 })
  await redis.stop()
  const signalledAt = performance.now()
  const exitCode = await server.stop('SIGTERM')
  const shutdownMs = performance.now() - signalledAt
  await redis.start()
  const [row] = await queryRows<{ count: string | null }>(database.url, "SELECT sum(count) AS count FROM usage_events WHERE agent_id = $1 AND metric = 'api_call'", [agent.agentId])
  const counted = Number(row?.count ?? 0)
  t.comment(`SIGTERM with Redis down: exit code ${exitCode} after ${shutdownMs.toFixed(0)} ms; ${reads.filter(isSuccess).length} reads acknowledged, ${counted} counted`)
  t.equal(exitCode, 0, 'exits 0 without waiting for Redis')
  t.ok(counted >= reads.filter(isSuccess).length, 'graceful shutdown loses no usage counts while Redis is down')
})
