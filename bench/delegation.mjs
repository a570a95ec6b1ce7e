#!/usr/bin/env node
// WS2 delegation benchmark: `node scripts/with-services.mjs node bench/delegation.mjs` after
// `pnpm build`. One process: a bare Fastify route and an app with core + the delegation
// plugin listen on 127.0.0.1; autocannon drives both from a worker thread, in interleaved
// rounds. Cold verifies are timed one by one, on a second instance, on chains it never saw.
// It reports and always exits 0.

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import os from 'node:os'
import autocannon from 'autocannon'
import Fastify from 'fastify'
import { HOST, startBareRoute } from './bare-route.mjs'
import corePlugin, { RedisKeyValueStore, SigningKeys } from '../packages/core/dist/index.js'
import delegationPlugin from '../packages/plugin-delegation/dist/index.js'

const requireFromCore = createRequire(new URL('../packages/core/package.json', import.meta.url))
const pg = requireFromCore('pg')
const { Redis } = requireFromCore('ioredis')

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6) // measured per scenario, split into CYCLES rounds
const CYCLES = Number(process.env.BENCH_CYCLES ?? 2)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
// Enough that p99 is the tenth-worst verify, not the second-worst: one GC pause can't decide it.
const COLD_CHAINS = 1000
const WATCHDOG_MS = 110_000
const TARGETS = { verifyDepth3: 0.5, delegate: 0.25, coldP99Ms: 5, depth5OverDepth1: 1.5 }
// BENCH_ONLY=verify,delegate,cold runs a subset (e.g. under `node --cpu-prof`); bare always runs.
const ONLY = new Set((process.env.BENCH_ONLY ?? 'verify,delegate,cold').split(',').map((s) => s.trim()))

const log = (message) => process.stderr.write(`bench: ${message}\n`)
setTimeout(() => { console.log('bench: watchdog fired; results above are partial'); process.exit(0) }, WATCHDOG_MS).unref()

// CPU time of PostgreSQL's backends (Linux /proc; 0 elsewhere), to say what a request costs the database.
let postgresPids = []
function postgresCpuMs () {
  let ticks = 0
  for (const pid of postgresPids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch { /* the backend is gone */ }
  }
  return ticks * 10 // USER_HZ = 100
}

// One measured round: 2xx count, latency, server thread busy time and PostgreSQL CPU.
async function round (options, seconds) {
  const elu = performance.eventLoopUtilization()
  const postgresStart = postgresCpuMs()
  const result = await autocannon({ connections: CONNECTIONS, duration: seconds, workers: 1, ...options })
  return {
    ok: result['2xx'],
    duration: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors,
    busyUs: performance.eventLoopUtilization(elu).utilization * result.duration * 1e6,
    postgresUs: (postgresCpuMs() - postgresStart) * 1000
  }
}

/**
 * Every scenario runs in CYCLES interleaved rounds (bare, verify…, delegate, bare, …), so that
 * load from other processes lands on all of them rather than on whichever ran during a bad
 * stretch. req/s = 2xx over the summed round durations; p50 the rounds' median, p99 the worst.
 */
async function interleaved (scenarios) {
  for (const [name, options] of scenarios) {
    log(`${name}: warm-up`)
    await autocannon({ connections: CONNECTIONS, duration: 1, workers: 1, ...options })
  }
  const rounds = new Map(scenarios.map(([name]) => [name, []]))
  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    for (const [name, options] of scenarios) {
      log(`${name} (cycle ${cycle}/${CYCLES})`)
      rounds.get(name).push(await round(options, SECONDS / CYCLES))
    }
  }
  const sum = (list, key) => list.reduce((total, r) => total + r[key], 0)
  return Object.fromEntries([...rounds].map(([name, list]) => {
    const ok = Math.max(1, sum(list, 'ok'))
    const p50s = list.map((r) => r.p50).sort((a, b) => a - b)
    return [name, {
      rps: sum(list, 'ok') / sum(list, 'duration'),
      p50: p50s[Math.floor(p50s.length / 2)],
      p99: Math.max(...list.map((r) => r.p99)),
      non2xx: sum(list, 'non2xx'),
      serverUs: sum(list, 'busyUs') / ok,
      postgresUs: sum(list, 'postgresUs') / ok,
      rounds: list.map((r) => Math.round(r.ok / r.duration))
    }]
  }))
}

const loadAtStart = os.loadavg().map((l) => l.toFixed(2)).join(' ')
const bare = await startBareRoute('POST')

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10, idleTimeoutMillis: 0 })
const redis = new Redis(process.env.REDIS_URL)
const store = new RedisKeyValueStore(redis)
const signingKeys = SigningKeys.generatePem('ES256')
const app = Fastify({ logger: false })
await app.register(corePlugin, { database: pool, store, signingKeys })
// One delegator issues a link per request for the whole run: the cap must not stop it.
await app.register(delegationPlugin, { prefix: '/api/v1', maxLiveLinksPerDelegator: 1_000_000 })
await app.listen({ host: HOST, port: 0 })
const base = `http://${HOST}:${app.server.address().port}/api/v1`
// Open every pool connection once, so that their backends are the ones measured.
await Promise.all(Array.from({ length: 10 }, () => pool.query('SELECT pg_sleep(0.05)')))
postgresPids = (await pool.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows.map((row) => row.pid)

// An enterprise tenant (depth 10) with six agents, each with a credential and a token.
const { sentryagent } = app
const org = await sentryagent.organizations.create(`Bench ${Date.now()}`, 'enterprise')
const actor = { organizationId: org.organizationId, agentId: org.agentId }
async function token (clientId, clientSecret) {
  const response = await app.inject({ method: 'POST', url: '/api/v1/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret } })
  return response.json().access_token
}
const agents = []
for (let i = 0; i < 6; i++) {
  const agent = await sentryagent.agents.create(actor, { email: `bench-${Date.now()}-${i}@example.com`, agentType: 'custom', version: '1.0.0', capabilities: ['reports:read'], owner: 'bench', deploymentEnv: 'development' })
  const credential = await sentryagent.credentials.create(actor, agent.agentId, null)
  agents.push({ agentId: agent.agentId, authorization: `Bearer ${await token(agent.agentId, credential.clientSecret)}` })
}
async function chainOf (depth) {
  let parent
  for (let i = 0; i < depth; i++) {
    const response = await app.inject({ method: 'POST', url: '/api/v1/oauth2/token/delegate', headers: { authorization: agents[i].authorization },
      payload: { delegateeAgentId: agents[i + 1].agentId, scopes: ['reports:read'], ttlSeconds: 3600 - i, ...(parent ? { parentDelegationToken: parent.delegationToken } : {}) } })
    if (response.statusCode !== 201) throw new Error(`delegation failed: ${response.body}`)
    parent = response.json()
  }
  return parent
}

const verifyOptions = (leaf, depth) => ({
  url: `${base}/oauth2/token/verify-delegation`, method: 'POST',
  headers: { authorization: agents[depth].authorization, 'content-type': 'application/json' },
  body: JSON.stringify({ delegationToken: leaf.delegationToken })
})

const scenarios = [['bare', { url: bare.url, method: 'POST' }]]
const leaves = {}
if (ONLY.has('verify')) {
  for (const depth of [1, 3, 5]) {
    leaves[depth] = await chainOf(depth)
    const options = verifyOptions(leaves[depth], depth)
    scenarios.push([`verify${depth}`, options])
  }
}
if (ONLY.has('delegate')) {
  scenarios.push(['delegate', {
    url: `${base}/oauth2/token/delegate`,
    method: 'POST',
    headers: { authorization: agents[0].authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ delegateeAgentId: agents[1].agentId, scopes: ['reports:read'], ttlSeconds: 600 })
  }])
}
const results = await interleaved(scenarios)

// Cold: each chain verified once, by a second instance (same database and Redis) that has never
// seen it, so its links come from PostgreSQL and every signature is checked. One throwaway chain
// first warms that instance's JIT and its cache of the agents' public keys.
let cold
if (ONLY.has('cold')) {
  log(`cold verify: ${COLD_CHAINS} depth-5 chains, each verified once on a second instance`)
  const coldPool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })
  const verifier = Fastify({ logger: false })
  await verifier.register(corePlugin, { database: coldPool, store: new RedisKeyValueStore(redis), signingKeys })
  await verifier.register(delegationPlugin, { prefix: '/api/v1' })
  await verifier.ready()
  const chains = []
  // Built eight at a time (the verifies below run one by one).
  let built = 0
  await Promise.all(Array.from({ length: 8 }, async () => { while (built++ <= COLD_CHAINS) chains.push(await chainOf(5)) }))
  const times = []
  for (const leaf of chains) {
    const started = performance.now()
    const response = await verifier.inject({ method: 'POST', url: '/api/v1/oauth2/token/verify-delegation', headers: { authorization: agents[5].authorization }, payload: { delegationToken: leaf.delegationToken } })
    times.push(performance.now() - started)
    if (response.json().valid !== true) throw new Error(`cold verify failed: ${response.body}`)
  }
  times.shift()
  times.sort((a, b) => a - b)
  cold = { p50: times[Math.floor(times.length * 0.5)], p99: times[Math.min(times.length - 1, Math.ceil(times.length * 0.99) - 1)] }
  await verifier.close()
  await coldPool.end()
}

const row = (name, r) => `${name.padEnd(28)} ${r.rps.toFixed(0).padStart(8)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(3)} ms  ratio ${(r.rps / results.bare.rps).toFixed(2)}  ` +
  `server ${r.serverUs.toFixed(0).padStart(4)} µs/req  PostgreSQL ${r.postgresUs.toFixed(0).padStart(4)} µs/req  non-2xx ${r.non2xx}  rounds ${r.rounds.join(' / ')}`
const verdict = (ok) => ok ? 'PASS' : 'FAIL'
console.log(`\nWS2 delegation bench — ${os.cpus().length} cores, load average at start ${loadAtStart} / at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${CONNECTIONS} connections, ${SECONDS} s per scenario in ${CYCLES} interleaved rounds`)
console.log(row('bare POST route', results.bare))
if (results.verify1) for (const depth of [1, 3, 5]) console.log(row(`verify-delegation warm depth ${depth}`, results[`verify${depth}`]))
if (results.delegate) console.log(row('delegate', results.delegate))
if (cold) console.log(`cold verify depth 5 (second instance, in-process inject, ${COLD_CHAINS} chains): p50 ${cold.p50.toFixed(2)} ms  p99 ${cold.p99.toFixed(2)} ms`)
console.log('\ntargets')
if (results.verify1) {
  const depthCost = results.verify1.rps / results.verify5.rps
  console.log(`  verify warm depth 3 ≥ ${TARGETS.verifyDepth3 * 100} % of bare: ${(results.verify3.rps / results.bare.rps * 100).toFixed(0)} %  ${verdict(results.verify3.rps / results.bare.rps >= TARGETS.verifyDepth3)}`)
  console.log(`  warm verify cost depth 5 ≤ ${TARGETS.depth5OverDepth1}× depth 1: ${depthCost.toFixed(2)}×  ${verdict(depthCost <= TARGETS.depth5OverDepth1)}`)
}
if (cold) console.log(`  cold verify depth 5 p99 < ${TARGETS.coldP99Ms} ms: ${cold.p99.toFixed(2)} ms  ${verdict(cold.p99 < TARGETS.coldP99Ms)}`)
if (results.delegate) console.log(`  delegate ≥ ${TARGETS.delegate * 100} % of bare: ${(results.delegate.rps / results.bare.rps * 100).toFixed(0)} %  ${verdict(results.delegate.rps / results.bare.rps >= TARGETS.delegate)}`)

await app.close()
await bare.close()
await store.close()
await pool.end()
redis.disconnect()
process.exit(0)
