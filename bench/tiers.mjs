#!/usr/bin/env node
// WS4 benchmark: the tier rate limiter's cost on an authenticated route, and GET /tiers
// against a bare Fastify route. Run with
//   node scripts/with-services.mjs node bench/tiers.mjs
// (after `pnpm build`). One process: a bare Fastify app and two real servers (buildServer,
// tier limiter on / RATE_LIMIT_ENABLED=false) on 127.0.0.1, sharing PostgreSQL and Redis;
// autocannon drives them from a worker thread. Rounds are interleaved (ABBA) so drift on the
// shared machine falls on every scenario alike. It reports, it does not gate (exit 0).

import os from 'node:os'
import autocannon from 'autocannon'
import { HOST, startBareRoute } from './bare-route.mjs'
import { SigningKeys } from '../packages/core/dist/index.js'
import { buildServer, readConfig } from '../packages/server/dist/index.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 16) // per scenario, split over the cycles
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
// Many short cycles: a slow spell of the shared machine then falls on every scenario alike.
const CYCLES = 8
const WATCHDOG_MS = 110_000
const TARGETS = { limiter: 0.85, tiers: 0.80 }
// BENCH_ONLY=on (or bare,tiers,on,off) runs a subset, e.g. under `node --cpu-prof`.
const ONLY = new Set((process.env.BENCH_ONLY ?? 'bare,tiers,on,off').split(',').map((s) => s.trim()))

const log = (message) => process.stderr.write(`bench: ${message}\n`)
const watchdog = setTimeout(() => { console.log('bench: watchdog fired; results are partial'); process.exit(0) }, WATCHDOG_MS)
watchdog.unref()

async function cannon (options, seconds) {
  const cpuBefore = process.cpuUsage()
  const result = await autocannon({ connections: CONNECTIONS, duration: seconds, workers: 1, ...options })
  const { user, system } = process.cpuUsage(cpuBefore)
  const responses = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx']
  return { duration: result.duration, ok: result['2xx'], bad: responses - result['2xx'] + result.errors + result.timeouts, p50: result.latency.p50, p99: result.latency.p99, cpu: user + system, responses }
}

function combine (runs) {
  const duration = runs.reduce((sum, run) => sum + run.duration, 0)
  const p50s = runs.map((run) => run.p50).sort((a, b) => a - b)
  return {
    rps: runs.reduce((sum, run) => sum + run.ok, 0) / duration,
    p50: p50s[Math.floor((p50s.length - 1) / 2)],
    p99: Math.max(...runs.map((run) => run.p99)),
    bad: runs.reduce((sum, run) => sum + run.bad, 0),
    // This process's CPU time (servers and load generator) per response: steadier than req/s
    // while other work competes for the machine, though Redis and PostgreSQL aren't in it.
    cpuPerResponse: runs.reduce((sum, run) => sum + run.cpu, 0) / runs.reduce((sum, run) => sum + run.responses, 0)
  }
}

async function server (env, keys) {
  const config = readConfig({
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    JWT_PRIVATE_KEY: keys.privateKey,
    JWT_PUBLIC_KEY: keys.publicKey,
    LOG_LEVEL: 'silent',
    HOST,
    PORT: '0',
    ...env
  })
  const app = await buildServer(config, { logger: false })
  await app.listen({ port: 0, host: HOST })
  return { app, base: `http://${HOST}:${app.server.address().port}${config.apiPrefix}` }
}

async function main () {
  if (process.env.DATABASE_URL === undefined || process.env.REDIS_URL === undefined) {
    console.log('bench: DATABASE_URL and REDIS_URL are required; run it through scripts/with-services.mjs.')
    return
  }
  const loadAtStart = os.loadavg().map((l) => l.toFixed(2)).join(' ')
  const closers = []
  try {
    const bare = await startBareRoute()
    closers.push(bare.close)

    const keys = SigningKeys.generatePem('ES256')
    const limited = await server({}, keys)
    const unlimited = await server({ RATE_LIMIT_ENABLED: 'false' }, keys)
    closers.unshift(() => limited.app.close(), () => unlimited.app.close())

    // A tenant whose limits never stop the load: the real lookup (memory → Redis → PostgreSQL)
    // and the Redis script still run for every batch, only the numbers are raised, so every
    // request is a 200. Raised to 10^8, not further: real limits are small integers, and from
    // 2^30 up V8 formats a number as a double, about 140 ns for each header value instead of 8.
    const tiers = limited.app.sentryagent.tiers
    const definitionOf = tiers.definitionOf.bind(tiers)
    tiers.definitionOf = async (organizationId) => {
      const definition = await definitionOf(organizationId)
      return { ...definition, limits: { ...definition.limits, rateLimitPerMinute: 1e8, rateLimitBurst: 1e8, apiCallsPerDay: null } }
    }
    const org = await limited.app.sentryagent.organizations.create(`bench-tiers-${Date.now()}`, 'enterprise')
    const { access_token: token } = await limited.app.sentryagent.tokens.issueForClient(org.clientId, org.clientSecret, undefined)
    const headers = { authorization: `Bearer ${token}` }
    const agentPath = `/agents/${org.agentId}`
    for (const { base } of [limited, unlimited]) {
      const probe = await fetch(`${base}${agentPath}`, { headers })
      if (probe.status !== 200) throw new Error(`GET /agents/{id} answered ${probe.status}`)
    }
    const probe = await fetch(`${limited.base}${agentPath}`, { headers })
    if (probe.headers.get('x-ratelimit-limit') === null) throw new Error('the tier limiter did not run')

    const scenarios = {
      bare: { name: 'GET /bare (bare Fastify)', options: { url: bare.url }, rounds: [] },
      tiers: { name: 'GET /api/v1/tiers', options: { url: `${limited.base}/tiers` }, rounds: [] },
      on: { name: 'GET /api/v1/agents/{id} [tier limiter on]', options: { url: `${limited.base}${agentPath}`, headers }, rounds: [] },
      off: { name: 'GET /api/v1/agents/{id} [limiter off]', options: { url: `${unlimited.base}${agentPath}`, headers }, rounds: [] }
    }
    for (const key of Object.keys(scenarios)) {
      if (!ONLY.has(key)) continue
      log(`${scenarios[key].name}: warm-up`)
      await cannon(scenarios[key].options, 1)
    }
    const share = SECONDS / CYCLES
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      for (const [key, seconds] of [['bare', share], ['tiers', share], ['on', share / 2], ['off', share / 2], ['off', share / 2], ['on', share / 2]]) {
        if (!ONLY.has(key)) continue
        log(`${scenarios[key].name} (cycle ${cycle}/${CYCLES}, ${seconds} s)`)
        scenarios[key].rounds.push(await cannon(scenarios[key].options, seconds))
      }
    }
    const result = Object.fromEntries(Object.entries(scenarios).map(([key, scenario]) => [key, { name: scenario.name, ...combine(scenario.rounds) }]))
    if (Object.values(scenarios).some((scenario) => scenario.rounds.length === 0)) {
      for (const key of ONLY) if (key in result) console.log(`${result[key].name}: ${Math.round(result[key].rps)} req/s, p50 ${result[key].p50} ms, p99 ${result[key].p99} ms`)
      return
    }
    const rows = [
      [result.bare, '-', '(baseline)', ''],
      [result.tiers, result.tiers.rps / result.bare.rps, `≥ ${TARGETS.tiers * 100} % of bare`, result.tiers.rps / result.bare.rps >= TARGETS.tiers && result.tiers.bad === 0],
      [result.off, result.off.rps / result.bare.rps, '(limiter-off baseline)', ''],
      [result.on, result.on.rps / result.bare.rps, `≥ ${TARGETS.limiter * 100} % of limiter off (${(result.on.rps / result.off.rps * 100).toFixed(1)} %)`,
        result.on.rps / result.off.rps >= TARGETS.limiter && result.on.bad === 0]
    ]
    console.log(`\nWS4 tiers bench: ${CONNECTIONS} connections, ${SECONDS} s per scenario over ${CYCLES} interleaved cycles, ${os.cpus().length} CPUs, load at start ${loadAtStart}, at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`)
    console.log('| name | req/s | p50 ms | p99 ms | CPU µs/req | vs bare | target | result |')
    console.log('|:--|--:|--:|--:|--:|--:|:--|:--|')
    for (const [run, ratio, target, pass] of rows) {
      console.log(`| ${run.name} | ${Math.round(run.rps).toLocaleString('en-US')} | ${run.p50} | ${run.p99} | ${Math.round(run.cpuPerResponse)} | ${ratio === '-' ? '-' : `${(ratio * 100).toFixed(1)} %`} | ${target} | ${pass === '' ? '' : pass ? 'PASS' : 'FAIL'} |`)
    }
    // The same ratios cycle by cycle: their spread shows how much the shared machine moved.
    const perCycle = (a, b, rounds) => Array.from({ length: CYCLES }, (_, cycle) => {
      const pick = (key) => combine(scenarios[key].rounds.slice(cycle * rounds, (cycle + 1) * rounds)).rps
      return `${(pick(a) / pick(b) * 100).toFixed(0)} %`
    }).join(', ')
    console.log(`\nper cycle: /tiers vs bare ${perCycle('tiers', 'bare', 1)}; limiter on vs off ${perCycle('on', 'off', 2)}`)
    if (result.on.bad + result.off.bad + result.tiers.bad > 0) console.log(`\nnon-2xx or errors: on ${result.on.bad}, off ${result.off.bad}, tiers ${result.tiers.bad}`)
  } finally {
    for (const close of closers) await close().catch(() => {})
  }
}

await main()
process.exit(0)
