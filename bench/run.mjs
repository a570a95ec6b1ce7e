#!/usr/bin/env node
// SentryAgent micro/macro benchmark. Run with `pnpm bench` (builds, starts throwaway
// PostgreSQL + Redis unless DATABASE_URL / REDIS_URL are set, then runs this file).
//
// One process: a bare Fastify app and the real server (buildServer) listen on
// 127.0.0.1; autocannon drives them from a worker thread (its `workers: 1` mode), so the
// load generator and the servers use separate threads of the same process. In-process
// loops measure the auth path and the usage counter without HTTP. It prints a table and
// always exits 0: a benchmark reports, it does not gate.

import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { createHistogram, performance } from 'node:perf_hooks'
import os from 'node:os'
import autocannon from 'autocannon'
import { HOST, startBareRoute } from './bare-route.mjs'
import { SigningKeys } from '../packages/core/dist/index.js'
import { buildServer, readConfig } from '../packages/server/dist/index.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8) // per measured HTTP run
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1.5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const AUTH_OPS = 200_000
const AUTH_MAX_MS = 10_000 // the sequential loop pays a Redis round trip per call: cap its time
const AUTH_CONCURRENCY = 50
const INCREMENT_OPS = 1_000_000
const WATCHDOG_MS = 110_000 // the whole run stays under two minutes, whatever happens
// BENCH_ONLY=bare,token,agent,usage,auth runs a subset (e.g. under `node --cpu-prof`).
const ONLY = new Set((process.env.BENCH_ONLY ?? 'bare,token,agent,usage,auth').split(',').map((s) => s.trim()))

const TARGETS = {
  token: 0.20, // POST /token ≥ 20 % of bare req/s
  agent: 0.35, // GET /agents/{id} ≥ 35 % of bare req/s
  authMs: 0.1, // auth path < 0.1 ms per request
  usagePct: 3 // usage counter adds < 3 % to GET /agents/{id}
}

const log = (message) => process.stderr.write(`bench: ${message}\n`)

const watchdog = setTimeout(() => {
  console.log(`\nbench: watchdog fired after ${WATCHDOG_MS / 1000} s; results above are partial.`)
  process.exit(0)
}, WATCHDOG_MS)
watchdog.unref()

async function freePort () {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, HOST, () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

// PostgreSQL and Redis processes on this machine, so a run can say how much CPU they took
// (Linux /proc; left empty elsewhere). Set once the pool is warm.
const backends = { postgres: [], redis: [] }
const CLOCK_TICKS_PER_MS = 100 / 1000 // USER_HZ, 100 on Linux

function procCpuMs (pids) {
  let ticks = 0
  for (const pid of pids) {
    try {
      // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch { /* the process is gone */ }
  }
  return ticks / CLOCK_TICKS_PER_MS
}

async function findBackends (db, redisUrl) {
  try {
    const { rows } = await db.query('SELECT pid FROM pg_stat_activity')
    backends.postgres = rows.map((row) => row.pid)
    const redisPort = new URL(redisUrl).port
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      try {
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
        if (cmdline.includes('redis-server') && cmdline.includes(`:${redisPort}`)) backends.redis.push(Number(entry))
      } catch { /* raced with an exiting process */ }
    }
  } catch {
    backends.postgres = []
    backends.redis = []
  }
}

/**
 * One autocannon run from a worker thread: 2xx req/s, latency, error counts, and how busy
 * this (the servers') main thread was — its event-loop utilisation (ELU). ELU near 1 means
 * the server's own JavaScript is the bottleneck; well below 1 means it waits (database,
 * Redis, or CPU taken by the load generator and other processes).
 */
async function cannon (name, options, seconds) {
  const elu = performance.eventLoopUtilization()
  const machineStart = machineCpu()
  const processStart = process.cpuUsage()
  const postgresStart = procCpuMs(backends.postgres)
  const redisStart = procCpuMs(backends.redis)
  const result = await autocannon({
    connections: CONNECTIONS,
    duration: seconds,
    workers: 1,
    ...options
  })
  const { utilization } = performance.eventLoopUtilization(elu)
  const processCpu = process.cpuUsage(processStart)
  const postgresMs = procCpuMs(backends.postgres) - postgresStart
  const redisMs = procCpuMs(backends.redis) - redisStart
  const machine = machineCpu()
  const machineBusyMs = machine.busy - machineStart.busy
  const machineTotalMs = machine.total - machineStart.total
  const processMs = (processCpu.user + processCpu.system) / 1000
  const responses = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx']
  return {
    name,
    duration: result.duration,
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.average,
    ok: result['2xx'],
    bad: responses - result['2xx'],
    errors: result.errors + result.timeouts,
    elu: utilization,
    busyMs: utilization * result.duration * 1000,
    // Shares of the whole machine's CPU time: this process (servers + load generator), the
    // backing services, and whatever else ran on the machine meanwhile.
    processShare: processMs / machineTotalMs,
    postgresShare: postgresMs / machineTotalMs,
    redisShare: redisMs / machineTotalMs,
    otherShare: Math.max(0, machineBusyMs - processMs - postgresMs - redisMs) / machineTotalMs,
    postgresUsPerRequest: (postgresMs * 1000) / Math.max(1, result['2xx']),
    redisUsPerRequest: (redisMs * 1000) / Math.max(1, result['2xx'])
  }
}

/** CPU time of all cores in ms, busy and total, from the kernel's counters. */
function machineCpu () {
  let busy = 0
  let total = 0
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle
    total += all
    busy += all - times.idle
  }
  return { busy, total }
}

/** Sums rounds of the same scenario: req/s over the total time; p50/p99 are the median/max of the rounds'. */
function combine (name, runs) {
  const total = (key) => runs.reduce((sum, run) => sum + run[key], 0)
  const sorted = runs.map((run) => run.p50).sort((a, b) => a - b)
  const duration = total('duration')
  const busyMs = total('busyMs')
  const weighted = (key) => runs.reduce((sum, run) => sum + run[key] * run.duration, 0) / duration
  return {
    name,
    rounds: runs,
    duration,
    rps: total('ok') / duration,
    p50: sorted[Math.floor((sorted.length - 1) / 2)],
    p99: Math.max(...runs.map((run) => run.p99)),
    mean: runs.reduce((sum, run) => sum + run.mean * run.ok, 0) / Math.max(1, total('ok')),
    ok: total('ok'),
    bad: total('bad'),
    errors: total('errors'),
    elu: busyMs / (duration * 1000),
    busyMs,
    processShare: weighted('processShare'),
    postgresShare: weighted('postgresShare'),
    redisShare: weighted('redisShare'),
    otherShare: weighted('otherShare'),
    postgresUsPerRequest: runs.reduce((sum, run) => sum + run.postgresUsPerRequest * run.ok, 0) / Math.max(1, total('ok')),
    redisUsPerRequest: runs.reduce((sum, run) => sum + run.redisUsPerRequest * run.ok, 0) / Math.max(1, total('ok'))
  }
}

/** Count and sum of one of the app's prom-client histograms (to diff around a run). */
async function histogramTotals (registry, name) {
  const metric = registry.getSingleMetric(name)
  if (metric === undefined) return { count: 0, sum: 0 }
  const { values } = await metric.get()
  const pick = (suffix) => values.filter((v) => v.metricName === `${name}_${suffix}`).reduce((sum, v) => sum + v.value, 0)
  return { count: pick('count'), sum: pick('sum') }
}

async function warmUp (name, options) {
  log(`${name}: warm-up ${WARMUP_SECONDS} s`)
  await cannon(`${name} (warm-up)`, options, WARMUP_SECONDS)
}

async function measure (name, options, seconds = SECONDS) {
  log(`${name}: ${seconds} s at ${options.connections ?? CONNECTIONS} connections`)
  return cannon(name, options, seconds)
}

async function timeAuthenticateSequential (tokens, token) {
  const histogram = createHistogram()
  const cpuStart = process.cpuUsage()
  const start = performance.now()
  let ops = 0
  while (ops < AUTH_OPS) {
    const t0 = process.hrtime.bigint()
    await tokens.authenticate(token)
    histogram.record(process.hrtime.bigint() - t0)
    ops++
    if ((ops & 1023) === 0 && performance.now() - start > AUTH_MAX_MS) break
  }
  const elapsedMs = performance.now() - start
  const cpu = process.cpuUsage(cpuStart)
  return {
    ops,
    meanUs: (elapsedMs * 1000) / ops,
    p50Ms: histogram.percentile(50) / 1e6,
    p99Ms: histogram.percentile(99) / 1e6,
    cpuUsPerOp: (cpu.user + cpu.system) / ops
  }
}

async function timeConcurrent (count, concurrency, operation) {
  const cpuStart = process.cpuUsage()
  const start = performance.now()
  let next = 0
  const lane = async () => { while (next++ < count) await operation() }
  await Promise.all(Array.from({ length: concurrency }, lane))
  const elapsedMs = performance.now() - start
  const cpu = process.cpuUsage(cpuStart)
  return { ops: count, usPerOp: (elapsedMs * 1000) / count, cpuUsPerOp: (cpu.user + cpu.system) / count }
}

async function timeSequential (count, operation) {
  const start = performance.now()
  for (let i = 0; i < count; i++) await operation()
  return ((performance.now() - start) * 1000) / count
}

function timeIncrement (usage, organizationId, agentId) {
  for (let i = 0; i < 50_000; i++) usage.increment(organizationId, agentId, 'api_call') // JIT warm-up
  const start = performance.now()
  for (let i = 0; i < INCREMENT_OPS; i++) usage.increment(organizationId, agentId, 'api_call')
  return ((performance.now() - start) * 1000) / INCREMENT_OPS
}

// ------------------------------------------------------------------ printing

const fmt = (value, digits = 0) => (value === undefined || value === null || Number.isNaN(value) ? '-' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }))
const pct = (ratio) => `${(ratio * 100).toFixed(1)} %`
const verdict = (pass) => (pass ? 'PASS' : 'FAIL')

function printTable (rows) {
  const header = ['name', 'req/s', 'p50 ms', 'p99 ms', 'vs bare', 'target', 'result']
  const cells = [header, ...rows.map((row) => header.map((_, i) => String(row[i] ?? '')))]
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)))
  const line = (row) => `| ${row.map((cell, i) => (i === 0 || i >= 5 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`
  console.log(line(header))
  console.log(`|${widths.map((w, i) => (i === 0 || i >= 5 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`)
  for (const row of cells.slice(1)) console.log(line(row))
}

// ---------------------------------------------------------------------- main

async function main () {
  const { DATABASE_URL, REDIS_URL } = process.env
  if (DATABASE_URL === undefined || REDIS_URL === undefined) {
    console.log('bench: DATABASE_URL and REDIS_URL are required; run `pnpm bench` (scripts/with-services.mjs provides them).')
    return
  }
  const loadAtStart = os.loadavg().map((l) => l.toFixed(2)).join(' ')
  const closers = []
  try {
    // 1. The bare baseline and our server, each on its own free port.
    const bare = await startBareRoute()
    closers.push(bare.close)

    const keys = SigningKeys.generatePem('ES256')
    const port = await freePort()
    const config = readConfig({
      DATABASE_URL,
      REDIS_URL,
      JWT_PRIVATE_KEY: keys.privateKey,
      JWT_PUBLIC_KEY: keys.publicKey,
      RATE_LIMIT_ENABLED: 'false',
      LOG_LEVEL: 'silent',
      HOST,
      PORT: String(port)
    })
    const app = await buildServer(config, { logger: false })
    closers.unshift(() => app.close())
    await app.listen({ port: config.port, host: HOST })
    const base = `http://${HOST}:${config.port}${config.apiPrefix}`
    const core = app.sentryagent

    // Enterprise: the only tier without a daily token quota (the free tier stops at 200 tokens a day).
    const org = await core.organizations.create(`bench-${Date.now()}`, 'enterprise')
    const tokenBody = JSON.stringify({ grant_type: 'client_credentials', client_id: org.clientId, client_secret: org.clientSecret })
    const issued = await app.inject({ method: 'POST', url: `${config.apiPrefix}/token`, headers: { 'content-type': 'application/json' }, payload: tokenBody })
    if (issued.statusCode !== 200) throw new Error(`token request failed: ${issued.statusCode} ${issued.body}`)
    const accessToken = issued.json().access_token
    const auth = { authorization: `Bearer ${accessToken}` }
    const registered = await app.inject({
      method: 'POST',
      url: `${config.apiPrefix}/agents`,
      headers: { ...auth, 'content-type': 'application/json' },
      payload: { email: `bench-${Date.now()}@example.com`, agentType: 'custom', version: '1.0.0', capabilities: ['agents:read'], owner: 'bench', deploymentEnv: 'development' }
    })
    if (registered.statusCode !== 201) throw new Error(`agent registration failed: ${registered.statusCode} ${registered.body}`)
    const agentId = registered.json().agentId
    const probe = await fetch(`${base}/agents/${agentId}`, { headers: auth })
    if (probe.status !== 200) throw new Error(`GET /agents/{id} answered ${probe.status}`)
    log(`bare ${bare.url}, server ${base}, organization ${org.organizationId}, agent ${agentId}`)

    // 2. HTTP measurements, in interleaved rounds: each cycle runs the bare baseline, the
    // token endpoint, and GET /agents/{id} with the usage counter on and off (ABBA), so
    // drift — other load on the machine, tables growing, JIT — falls on every scenario
    // alike instead of on whichever happened to run during a noisy stretch.
    const scenarios = {
      bare: { name: 'GET /bare (bare Fastify)', options: { url: bare.url }, rounds: [] },
      token: { name: 'POST /api/v1/token', options: { url: `${base}/token`, method: 'POST', headers: { 'content-type': 'application/json' }, body: tokenBody }, rounds: [] },
      agent: { name: 'GET /api/v1/agents/{id}', options: { url: `${base}/agents/${agentId}`, headers: auth }, rounds: [] },
      agentOff: { name: 'GET /api/v1/agents/{id} [usage off]', options: { url: `${base}/agents/${agentId}`, headers: auth }, rounds: [] }
    }
    const CYCLES = 2
    // Seconds per round: every scenario gets SECONDS in total over the cycles.
    const cycle = [['bare', SECONDS / CYCLES], ['token', SECONDS / CYCLES], ['agent', SECONDS / CYCLES / 2], ['agentOff', SECONDS / CYCLES / 2],
      ['agentOff', SECONDS / CYCLES / 2], ['agent', SECONDS / CYCLES / 2]]
    const enabled = (key) => ONLY.has(key === 'agentOff' ? 'agent' : key)
    for (const key of ['bare', 'token', 'agent']) if (enabled(key)) await warmUp(scenarios[key].name, scenarios[key].options)
    await findBackends(core.db, REDIS_URL)
    const auditBefore = await histogramTotals(core.metrics, 'agentidp_audit_batch_duration_seconds')
    for (let round = 1; round <= CYCLES; round++) {
      for (const [key, seconds] of cycle) {
        if (!enabled(key)) continue
        const scenario = scenarios[key]
        // No switch turns the usage counter off: swap the method on its class's prototype for
        // the "off" rounds (the auth hook holds the same instance). Not on the instance: adding
        // and deleting an own property would turn it into a slow dictionary-mode object.
        const usageClass = Object.getPrototypeOf(core.usage)
        const increment = usageClass.increment
        if (key === 'agentOff') usageClass.increment = function noIncrement () {}
        try {
          scenario.rounds.push(await measure(`${scenario.name} (cycle ${round}/${CYCLES})`, scenario.options, seconds))
        } finally {
          usageClass.increment = increment
        }
      }
    }
    const auditAfter = await histogramTotals(core.metrics, 'agentidp_audit_batch_duration_seconds')
    const auditBatches = { count: auditAfter.count - auditBefore.count, seconds: auditAfter.sum - auditBefore.sum }
    const result = (key) => (scenarios[key].rounds.length > 0 ? combine(scenarios[key].name, scenarios[key].rounds) : undefined)
    const bareRun = result('bare')
    const tokenRun = result('token')
    const agentRun = result('agent')
    const agentOffRun = result('agentOff')

    // 3. In-process: the auth path (cached verification + revocation check in Redis).
    let authSeq, authPar, mgetUs, mgetPar
    if (ONLY.has('auth')) {
      log(`tokens.authenticate(): up to ${AUTH_OPS.toLocaleString('en-US')} sequential calls (max ${AUTH_MAX_MS / 1000} s)`)
      await timeSequential(5_000, () => core.tokens.authenticate(accessToken)) // warm-up
      authSeq = await timeAuthenticateSequential(core.tokens, accessToken)
      log(`tokens.authenticate(): ${AUTH_OPS.toLocaleString('en-US')} calls, ${AUTH_CONCURRENCY} in flight`)
      authPar = await timeConcurrent(AUTH_OPS, AUTH_CONCURRENCY, () => core.tokens.authenticate(accessToken))
      // What the Redis round trip alone costs (the same MGET authenticate() sends).
      const claims = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8'))
      const revocationKeys = [`revoked_token:${claims.jti}`, `agent_disabled:${claims.sub}`]
      mgetUs = await timeSequential(20_000, () => core.store.getMany(revocationKeys))
      mgetPar = await timeConcurrent(100_000, AUTH_CONCURRENCY, () => core.store.getMany(revocationKeys))
    }

    // 4. In-process: the usage counter, relative to the server-thread time one GET costs.
    let incrementUs, agentRequestUs, usagePct
    if (ONLY.has('usage')) {
      incrementUs = timeIncrement(core.usage, org.organizationId, org.agentId)
      if (agentRun !== undefined) {
        agentRequestUs = (agentRun.busyMs * 1000) / agentRun.ok
        usagePct = (incrementUs / agentRequestUs) * 100
      }
    }
    const abPct = agentRun !== undefined && agentOffRun !== undefined ? (1 - agentRun.rps / agentOffRun.rps) * 100 : undefined

    // 5. Report.
    const ratio = (run) => (bareRun === undefined ? NaN : run.rps / bareRun.rps)
    const clean = (run) => run.bad + run.errors === 0
    const ms = (value) => (value === 0 ? '<1' : fmt(value)) // autocannon's latency histogram counts whole milliseconds
    const httpRow = (run, target, pass) => [run.name, fmt(run.rps), ms(run.p50), ms(run.p99), bareRun === undefined ? '-' : pct(ratio(run)), target,
      pass === undefined ? '' : verdict(pass)]
    const rows = []
    if (bareRun !== undefined) rows.push(httpRow(bareRun, '(baseline)'))
    if (tokenRun !== undefined) rows.push(httpRow(tokenRun, `≥ ${TARGETS.token * 100} % of bare`, bareRun === undefined ? undefined : ratio(tokenRun) >= TARGETS.token && clean(tokenRun)))
    if (agentRun !== undefined) rows.push(httpRow(agentRun, `≥ ${TARGETS.agent * 100} % of bare`, bareRun === undefined ? undefined : ratio(agentRun) >= TARGETS.agent && clean(agentRun)))
    if (agentOffRun !== undefined) rows.push(httpRow(agentOffRun, `(A/B: counter on is ${abPct.toFixed(1)} % slower; noisy)`))
    if (authSeq !== undefined) {
      rows.push(['auth: tokens.authenticate(), in-process, sequential', fmt(1e6 / authSeq.meanUs), fmt(authSeq.p50Ms, 3), fmt(authSeq.p99Ms, 3), '-',
        `< ${TARGETS.authMs} ms/op (mean ${(authSeq.meanUs / 1000).toFixed(3)} ms)`, verdict(authSeq.meanUs / 1000 < TARGETS.authMs)])
    }
    if (incrementUs !== undefined) {
      rows.push(['usage: usage.increment(), in-process', fmt(1e6 / incrementUs), fmt(incrementUs / 1000, 5), '-', '-',
        usagePct === undefined ? `(${(incrementUs * 1000).toFixed(0)} ns/op)` : `adds < ${TARGETS.usagePct} % (adds ${usagePct.toFixed(2)} % to GET /agents/{id})`,
        usagePct === undefined ? '' : verdict(usagePct < TARGETS.usagePct)])
    }
    const cpu = os.cpus()
    console.log('')
    console.log(`SentryAgent benchmark — node ${process.version}, ${cpu.length} CPU(s) ${cpu[0]?.model ?? ''}, load average at start ${loadAtStart} / at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
    console.log(`HTTP: ${CONNECTIONS} connections, ${SECONDS} s per scenario in interleaved rounds after a ${WARMUP_SECONDS} s warm-up; autocannon runs in a worker thread of this process and shares the CPUs with the servers, PostgreSQL and Redis`)
    if (os.loadavg()[0] > cpu.length / 2) console.log(`warning: the machine was busy (load average ${os.loadavg()[0].toFixed(2)} on ${cpu.length} CPUs): other processes took CPU time from this run`)
    console.log('')
    printTable(rows)
    console.log('')
    console.log('Details (ELU = event-loop utilisation of the servers\' thread during the run; near 100 % = bound by its own JavaScript)')
    for (const run of [bareRun, tokenRun, agentRun, agentOffRun].filter(Boolean)) {
      const busyUs = (run.busyMs * 1000) / Math.max(1, run.ok)
      console.log(`  ${run.name}: ${fmt(run.ok)} × 2xx in ${run.duration.toFixed(2)} s, ${run.bad} non-2xx, ${run.errors} errors/timeouts, mean latency ${run.mean.toFixed(2)} ms`)
      const share = (value) => `${(value * 100).toFixed(0)} %`
      console.log(`      server thread: ELU ${share(run.elu)}, ${busyUs.toFixed(0)} µs per request; per request elsewhere: PostgreSQL ${run.postgresUsPerRequest.toFixed(0)} µs CPU, Redis ${run.redisUsPerRequest.toFixed(0)} µs CPU`)
      console.log(`      machine CPU (${os.cpus().length} cores): this process ${share(run.processShare)} (servers + autocannon), PostgreSQL ${share(run.postgresShare)}, Redis ${share(run.redisShare)}, other processes ${share(run.otherShare)}, idle ${share(Math.max(0, 1 - run.processShare - run.postgresShare - run.redisShare - run.otherShare))}`)
      if (run.rounds !== undefined) console.log(`      rounds (req/s): ${run.rounds.map((round) => fmt(round.rps)).join(', ')}`)
    }
    if (tokenRun !== undefined && auditBatches.count > 0) {
      console.log(`  audit group commit during POST /token: ${fmt(auditBatches.count)} batches, ${(tokenRun.ok / auditBatches.count).toFixed(1)} events per batch on average, ${(auditBatches.seconds * 1000 / auditBatches.count).toFixed(2)} ms per batch`)
    }
    if (authSeq !== undefined) {
      console.log(`  tokens.authenticate() sequential: ${fmt(authSeq.ops)} calls, ${authSeq.meanUs.toFixed(1)} µs/op wall, ${authSeq.cpuUsPerOp.toFixed(1)} µs/op CPU (whole process)`)
      console.log(`  tokens.authenticate() ${AUTH_CONCURRENCY} in flight: ${fmt(authPar.ops)} calls, ${authPar.usPerOp.toFixed(1)} µs/op wall (${fmt(1e6 / authPar.usPerOp)} ops/s), ${authPar.cpuUsPerOp.toFixed(1)} µs/op CPU (whole process)`)
      console.log(`  Redis MGET of the two revocation keys alone: ${mgetUs.toFixed(1)} µs/op sequential, ${mgetPar.usPerOp.toFixed(1)} µs/op with ${AUTH_CONCURRENCY} in flight (${mgetPar.cpuUsPerOp.toFixed(1)} µs CPU)`)
    }
    if (incrementUs !== undefined) {
      console.log(`  usage.increment(): ${(incrementUs * 1000).toFixed(0)} ns/op over ${fmt(INCREMENT_OPS)} calls` +
        (agentRequestUs === undefined ? '' : `; one GET /agents/{id} costs ${agentRequestUs.toFixed(1)} µs of server-thread time`))
    }
    if (abPct !== undefined) console.log(`  usage counter A/B (alternating rounds): ${fmt(agentRun.rps)} req/s on vs ${fmt(agentOffRun.rps)} req/s off (${abPct.toFixed(1)} %; within run-to-run noise unless it is several %)`)
  } catch (error) {
    console.log(`bench: failed: ${error instanceof Error ? error.stack : String(error)}`)
  } finally {
    for (const close of closers) await close().catch((error) => log(`close failed: ${error}`))
  }
}

await main()
clearTimeout(watchdog)
// Pools and sockets are closed above; exit explicitly so a stray handle cannot hold the run.
process.exit(0)
