#!/usr/bin/env node
// WS6 benchmark: agent-card serving (ETag hits, 304, and full 200s) against a bare Fastify
// route, and the compliance report over 1,000 agents. Run with
//   node scripts/with-services.mjs node bench/agntcy.mjs
// (after `pnpm build`). One process: a bare Fastify app and a real server (buildServer, rate
// limiting off so that the card route itself is measured) on 127.0.0.1, on the throwaway
// PostgreSQL and Redis; autocannon drives them from a worker thread, rounds interleaved so drift
// on the shared machine falls on every scenario alike. It reports, it does not gate (exit 0).

import os from 'node:os'
import autocannon from 'autocannon'
import { HOST, startBareRoute } from './bare-route.mjs'
import { SigningKeys } from '../packages/core/dist/index.js'
import { buildServer, readConfig } from '../packages/server/dist/index.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6) // per HTTP scenario, split over the cycles
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const AGENTS = Number(process.env.BENCH_AGENTS ?? 1000)
const REPORTS = 5
const CYCLES = 2
const WATCHDOG_MS = 115_000
const TARGETS = { etag: 0.5, reportMs: 2000 }

const log = (message) => process.stderr.write(`bench: ${message}\n`)
const watchdog = setTimeout(() => { console.log('bench: watchdog fired; results are partial'); process.exit(0) }, WATCHDOG_MS)
watchdog.unref()

async function cannon (options, seconds) {
  const result = await autocannon({ connections: CONNECTIONS, duration: seconds, workers: 1, ...options })
  const expected = options.expect === 304 ? result['3xx'] : result['2xx']
  const responses = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx']
  return { duration: result.duration, ok: expected, bad: responses - expected + result.errors + result.timeouts, p50: result.latency.p50, p99: result.latency.p99 }
}

function combine (runs) {
  const duration = runs.reduce((sum, run) => sum + run.duration, 0)
  const p50s = runs.map((run) => run.p50).sort((a, b) => a - b)
  return { rps: runs.reduce((sum, run) => sum + run.ok, 0) / duration, p50: p50s[Math.floor((p50s.length - 1) / 2)], p99: Math.max(...runs.map((run) => run.p99)), bad: runs.reduce((sum, run) => sum + run.bad, 0) }
}

const CARD_FIELDS = {
  description: 'Benchmark agent',
  a2aEndpointUrl: 'https://agents.example.com/a2a',
  skills: [{ id: 'answer', name: 'Answer', description: 'Answers questions', tags: ['qa'] }],
  inputModes: ['text/plain'],
  outputModes: ['application/json']
}

/** `count` agents with a credential each, `concurrency` at a time through the services (as the API would). */
async function registerAgents (app, actor, count, concurrency = 8) {
  let next = 0
  const run = async () => {
    while (next < count) {
      const i = next++
      const agent = await app.sentryagent.agents.create(actor, {
        email: `bench-agntcy-${process.pid}-${Date.now()}-${i}@example.com`, agentType: 'custom', version: '1.0.0', capabilities: ['agents:read'], owner: 'bench', deploymentEnv: 'production',
        ...CARD_FIELDS, isPublic: i === 0
      })
      await app.sentryagent.credentials.create(actor, agent.agentId, null)
      if (i === 0) actor.firstAgentId = agent.agentId
    }
  }
  await Promise.all(Array.from({ length: concurrency }, run))
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
    const config = readConfig({
      DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL, JWT_PRIVATE_KEY: keys.privateKey, JWT_PUBLIC_KEY: keys.publicKey,
      LOG_LEVEL: 'silent', HOST, PORT: '0', RATE_LIMIT_ENABLED: 'false', TIER_RATE_LIMITING_ENABLED: 'false'
    })
    const app = await buildServer(config, { logger: false })
    closers.unshift(() => app.close())
    await app.listen({ port: 0, host: HOST })
    const base = `http://${HOST}:${app.server.address().port}${config.apiPrefix}`

    const org = await app.sentryagent.organizations.create(`bench-agntcy-${Date.now()}`, 'enterprise')
    const actor = { organizationId: org.organizationId, agentId: org.agentId }
    log(`registering ${AGENTS} agents with credentials`)
    const started = Date.now()
    await registerAgents(app, actor, AGENTS)
    log(`registered in ${((Date.now() - started) / 1000).toFixed(1)} s`)

    const cardUrl = `${base}/agents/${actor.firstAgentId}/.well-known/agent-card.json`
    const probe = await fetch(cardUrl)
    if (probe.status !== 200) throw new Error(`the card answered ${probe.status}`)
    const etag = probe.headers.get('etag')
    const body = await probe.text()

    const scenarios = {
      bare: { name: 'GET /bare (bare Fastify)', options: { url: bare.url }, rounds: [] },
      hit: { name: 'GET agent card, If-None-Match hit → 304', options: { url: cardUrl, headers: { 'if-none-match': etag }, expect: 304 }, rounds: [] },
      full: { name: `GET agent card → 200 (${body.length} B)`, options: { url: cardUrl }, rounds: [] }
    }
    for (const scenario of Object.values(scenarios)) await cannon(scenario.options, 1)
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      for (const key of cycle % 2 === 1 ? ['bare', 'hit', 'full'] : ['full', 'hit', 'bare']) {
        log(`${scenarios[key].name} (cycle ${cycle}/${CYCLES})`)
        scenarios[key].rounds.push(await cannon(scenarios[key].options, SECONDS / CYCLES))
      }
    }
    const result = Object.fromEntries(Object.entries(scenarios).map(([key, scenario]) => [key, { name: scenario.name, ...combine(scenario.rounds) }]))

    // The report, over HTTP as a client asks for it (the organization's admin agent + AGENTS agents).
    const { access_token: token } = await app.sentryagent.tokens.issueForClient(org.clientId, org.clientSecret, undefined)
    const timings = []
    let summary
    for (let i = 0; i < REPORTS; i++) {
      const start = process.hrtime.bigint()
      const response = await fetch(`${base}/agntcy/compliance-report`, { headers: { authorization: `Bearer ${token}` } })
      const report = await response.json()
      timings.push(Number(process.hrtime.bigint() - start) / 1e6)
      if (response.status !== 200) throw new Error(`the report answered ${response.status}`)
      summary = { ...report.summary, overall: report.overallStatus, requirements: report.sections.reduce((n, s) => n + s.requirements.length, 0) }
    }
    const sorted = [...timings].sort((a, b) => a - b)

    console.log(`\nWS6 agntcy bench: ${CONNECTIONS} connections, ${SECONDS} s per scenario over ${CYCLES} interleaved cycles, ${os.cpus().length} CPUs, load at start ${loadAtStart}, at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`)
    console.log('| name | req/s | p50 ms | p99 ms | vs bare | target | result |')
    console.log('|:--|--:|--:|--:|--:|:--|:--|')
    for (const [key, target] of [['bare', '(baseline)'], ['hit', `≥ ${TARGETS.etag * 100} % of bare`], ['full', '']]) {
      const run = result[key]
      const ratio = run.rps / result.bare.rps
      const verdict = key === 'hit' ? (ratio >= TARGETS.etag && run.bad === 0 ? 'PASS' : 'FAIL') : ''
      console.log(`| ${run.name} | ${Math.round(run.rps).toLocaleString('en-US')} | ${run.p50} | ${run.p99} | ${key === 'bare' ? '-' : `${(ratio * 100).toFixed(1)} %`} | ${target} | ${verdict} |`)
    }
    const median = sorted[Math.floor(sorted.length / 2)]
    console.log(`\ncompliance report over ${AGENTS + 1} agents (${summary.requirements} requirements, ${summary.overall}): median ${median.toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms over ${REPORTS} runs; target < ${TARGETS.reportMs} ms: ${sorted[sorted.length - 1] < TARGETS.reportMs ? 'PASS' : 'FAIL'}`)
    const bad = Object.values(result).reduce((n, run) => n + run.bad, 0)
    if (bad > 0) console.log(`\nunexpected statuses or errors: ${bad}`)
  } finally {
    for (const close of closers) await close().catch(() => {})
  }
}

await main()
process.exit(0)
