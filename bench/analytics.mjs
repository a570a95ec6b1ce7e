#!/usr/bin/env node
// WS3 analytics benchmark: `node scripts/with-services.mjs node bench/analytics.mjs` after
// `pnpm build`. One process, traffic on 127.0.0.1 only, in a scratch database dropped at the end.
//  1. Query latency of GET /analytics/usage-summary (cache off) with usage_events at 10^4 rows,
//     then grown to BENCH_ANALYTICS_ROWS (default 10^6; 10^7 when set) and aggregated again.
//  2. Aggregating one day of 10^6 events vs the bare GROUP BY over the same rows.
//  3. The usage counter's cost: GET /agents/{id} with the counter on and off (ABBA rounds).
// A bare Fastify route is the baseline. It reports and always exits 0.

import { createRequire } from 'node:module'
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import os from 'node:os'
import autocannon from 'autocannon'
import Fastify from 'fastify'
import { HOST, startBareRoute } from './bare-route.mjs'
import corePlugin, { RedisKeyValueStore, SigningKeys } from '../packages/core/dist/index.js'
import analyticsPlugin from '../packages/plugin-analytics/dist/index.js'

const requireFromCore = createRequire(new URL('../packages/core/package.json', import.meta.url))
const pg = requireFromCore('pg')
const { Redis } = requireFromCore('ioredis')

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20)
const LARGE_ROWS = Number(process.env.BENCH_ANALYTICS_ROWS ?? 1_000_000)
const DAY_ROWS = 1_000_000
const WATCHDOG_MS = 115_000
const TARGETS = { latencyRatio: 1.2, aggregateOverGroupBy: 1.5, usagePct: 3 }

const log = (message) => process.stderr.write(`bench: ${message}\n`)
setTimeout(() => { console.log('bench: watchdog fired; results above are partial'); process.exit(0) }, WATCHDOG_MS).unref()

async function cannon (url, options = {}) {
  await autocannon({ url, connections: CONNECTIONS, duration: 1, workers: 1, ...options }) // warm-up
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, workers: 1, ...options })
  return { rps: result['2xx'] / result.duration, p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.average, non2xx: result.non2xx + result.errors }
}

// A scratch database: the bench's millions of rows never reach the shared test database.
const scratchName = `sentryagent_bench_${randomUUID().replace(/-/g, '')}`
const admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
await admin.connect()
await admin.query(`CREATE DATABASE ${scratchName}`)
const scratchUrl = new URL(process.env.DATABASE_URL)
scratchUrl.pathname = `/${scratchName}`

const bare = await startBareRoute()
const pool = new pg.Pool({ connectionString: scratchUrl.toString(), max: 10 })
pool.on('error', () => {}) // the scratch database is dropped with FORCE at the end
const redis = new Redis(process.env.REDIS_URL)
const store = new RedisKeyValueStore(redis)
const app = Fastify({ logger: false })
await app.register(corePlugin, { database: pool, store, signingKeys: SigningKeys.generatePem('ES256') })
await app.register(analyticsPlugin, { prefix: '/api/v1', schedule: false, cacheTtlSeconds: 0 })
await app.listen({ host: HOST, port: 0 })
const base = `http://${HOST}:${app.server.address().port}/api/v1`
const { sentryagent, analytics } = app

const org = await sentryagent.organizations.create('Bench analytics', 'enterprise')
const tokenResponse = await app.inject({ method: 'POST', url: '/api/v1/token', payload: { grant_type: 'client_credentials', client_id: org.clientId, client_secret: org.clientSecret } })
const authorization = `Bearer ${tokenResponse.json().access_token}`
const today = new Date().toISOString().slice(0, 10)
const daysAgo = (days) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10)
const HISTORY_DAYS = 90

/** `rows` usage rows over the last 90 days: 200 tenants (the bench's among them) × 5 agents × 3 metrics. */
async function addEvents (rows) {
  await pool.query(
    `INSERT INTO usage_events (organization_id, agent_id, metric, usage_date, count)
     SELECT CASE WHEN t = 0 THEN $2::uuid ELSE md5('tenant' || t)::uuid END,
            CASE WHEN t = 0 THEN $3::uuid ELSE md5('agent' || t || '-' || (i % 5))::uuid END,
            (ARRAY['api_call', 'token_issued', 'credential_rotated'])[1 + i % 3],
            $4::date - (1 + (i / 7) % ${HISTORY_DAYS})::integer,
            1 + i % 9
     FROM generate_series(1, $1) AS i, LATERAL (SELECT (i / 3) % 200 AS t) AS tenant`,
    [rows, org.organizationId, org.agentId, today])
}

const summaryUrl = `${base}/analytics/usage-summary?from=${daysAgo(HISTORY_DAYS)}&to=${daysAgo(1)}`
/** Median latency of sequential in-process requests: steadier on a loaded machine than a load run. */
async function medianLatency (url, count = 300) {
  const timings = []
  for (let i = 0; i < count; i++) {
    const t0 = performance.now()
    const response = await app.inject({ method: 'GET', url: url.replace(/^http:\/\/[^/]+/, ''), headers: { authorization } })
    timings.push(performance.now() - t0)
    if (response.statusCode !== 200) throw new Error(`analytics query failed: ${response.body}`)
  }
  timings.sort((a, b) => a - b)
  return timings[Math.floor(count / 2)]
}

/** ns per usage.increment(), after a JIT warm-up. */
function incrementNs () {
  for (let i = 0; i < 50_000; i++) sentryagent.usage.increment(org.organizationId, org.agentId, 'api_call')
  const t0 = performance.now()
  for (let i = 0; i < 1_000_000; i++) sentryagent.usage.increment(org.organizationId, org.agentId, 'api_call')
  return (performance.now() - t0) * 1e6 / 1_000_000
}

const results = {}
log('bare route'); results.bare = await cannon(bare.url)

log('10^4 usage events, aggregated')
await addEvents(10_000)
await analytics.aggregator.aggregateRange(daysAgo(HISTORY_DAYS), daysAgo(1))
await pool.query('ANALYZE usage_events; ANALYZE analytics_daily_aggregates')
results.smallMedian = await medianLatency(summaryUrl)
results.small = await cannon(summaryUrl, { headers: { authorization } })

log(`growing usage_events to ${LARGE_ROWS.toLocaleString('en')} rows (one INSERT … generate_series)`)
let started = performance.now()
await addEvents(LARGE_ROWS - 10_000)
const insertSeconds = (performance.now() - started) / 1000
started = performance.now()
await analytics.aggregator.aggregateRange(daysAgo(HISTORY_DAYS), daysAgo(1))
const aggregateAllSeconds = (performance.now() - started) / 1000
await pool.query('ANALYZE usage_events; ANALYZE analytics_daily_aggregates')
const { rows: [{ aggregates }] } = await pool.query('SELECT count(*)::integer AS aggregates FROM analytics_daily_aggregates')
results.largeMedian = await medianLatency(summaryUrl)
results.large = await cannon(summaryUrl, { headers: { authorization } })

log(`one day of ${DAY_ROWS.toLocaleString('en')} events: aggregation vs bare GROUP BY`)
const benchDay = daysAgo(HISTORY_DAYS + 5)
await pool.query(
  `INSERT INTO usage_events (organization_id, agent_id, metric, usage_date, count)
   SELECT md5('tenant' || (i % 200))::uuid, md5('agent' || (i % 1000))::uuid, (ARRAY['api_call', 'token_issued', 'credential_rotated'])[1 + i % 3], $2::date, 1 + i % 9
   FROM generate_series(1, $1) AS i`, [DAY_ROWS, benchDay])
await pool.query('ANALYZE usage_events')
async function best (work, times = 3) {
  let fastest = Infinity
  for (let i = 0; i < times; i++) {
    const t0 = performance.now()
    await work()
    fastest = Math.min(fastest, performance.now() - t0)
  }
  return fastest
}
const groupByMs = await best(() => pool.query(
  'SELECT organization_id, agent_id, metric, sum(count) FROM usage_events WHERE usage_date = $1 GROUP BY organization_id, agent_id, metric', [benchDay]))
const aggregateMs = await best(() => analytics.aggregator.aggregateRange(benchDay, benchDay))

log('usage counter on/off: GET /agents/{id}, ABBA')
const agentOptions = { headers: { authorization } }
const agentUrl = `${base}/agents/${org.agentId}`
const usagePrototype = Object.getPrototypeOf(sentryagent.usage)
const increment = usagePrototype.increment
const rounds = { on: [], off: [] }
for (const mode of ['on', 'off', 'off', 'on']) {
  if (mode === 'off') usagePrototype.increment = function noIncrement () {}
  rounds[mode].push(await cannon(agentUrl, agentOptions))
  usagePrototype.increment = increment
}
const meanRps = (list) => list.reduce((total, run) => total + run.rps, 0) / list.length
const abPct = (1 - meanRps(rounds.on) / meanRps(rounds.off)) * 100
const perIncrementNs = incrementNs()
// One server thread: a request costs 1/rps of it; the counter's share is its own time in that.
const usagePct = perIncrementNs / (1e9 / meanRps(rounds.off)) * 100

const row = (name, r) => `${name.padEnd(44)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(3)} ms  mean ${r.mean.toFixed(2)} ms  ratio to bare ${(r.rps / results.bare.rps).toFixed(2)}  non-2xx ${r.non2xx}`
const verdict = (ok) => ok ? 'PASS' : 'FAIL'
console.log(`\nWS3 analytics bench — ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${CONNECTIONS} connections, ${SECONDS} s per run`)
console.log(row('bare GET route', results.bare))
console.log(row('usage-summary, 90 days, 10^4 events', results.small))
console.log(row(`usage-summary, 90 days, ${LARGE_ROWS.toExponential(0).replace('e+', 'e')} events`, results.large))
console.log(`  usage_events grown by ${(LARGE_ROWS - 10_000).toLocaleString('en')} rows in ${insertSeconds.toFixed(1)} s; 90 days re-aggregated in ${aggregateAllSeconds.toFixed(1)} s (${aggregates.toLocaleString('en')} aggregate rows)`)
console.log(`one day of ${DAY_ROWS.toLocaleString('en')} events: bare GROUP BY ${groupByMs.toFixed(0)} ms, aggregation (GROUP BY + upsert, one transaction) ${aggregateMs.toFixed(0)} ms (best of 3)`)
console.log(`usage-summary median latency, 300 sequential requests in-process: ${results.smallMedian.toFixed(2)} ms at 10^4 events, ${results.largeMedian.toFixed(2)} ms at ${LARGE_ROWS.toLocaleString('en')}`)
console.log(`GET /agents/{id}: usage counter on ${meanRps(rounds.on).toFixed(0)} req/s, off ${meanRps(rounds.off).toFixed(0)} req/s (A/B ${abPct.toFixed(1)} %, within run-to-run noise on a loaded machine); usage.increment() ${perIncrementNs.toFixed(0)} ns/op`)
const latencyRatio = results.largeMedian / results.smallMedian
console.log('\ntargets')
console.log(`  query latency at ${LARGE_ROWS.toExponential(0).replace('e+', 'e')} vs 10^4 events ≤ ${TARGETS.latencyRatio}×: ${latencyRatio.toFixed(2)}× (median, cache off)  ${verdict(latencyRatio <= TARGETS.latencyRatio)}`)
console.log(`  one day's aggregation ≤ ${TARGETS.aggregateOverGroupBy}× the bare GROUP BY: ${(aggregateMs / groupByMs).toFixed(2)}×  ${verdict(aggregateMs / groupByMs <= TARGETS.aggregateOverGroupBy)}`)
console.log(`  usage counter adds < ${TARGETS.usagePct} % to request throughput: ${usagePct.toFixed(2)} % of a request's server time  ${verdict(usagePct < TARGETS.usagePct)}`)

await app.close()
await bare.close()
await store.close()
await pool.end()
redis.disconnect()
await admin.query(`DROP DATABASE IF EXISTS ${scratchName} WITH (FORCE)`)
await admin.end()
process.exit(0)
