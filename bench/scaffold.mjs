#!/usr/bin/env node
// WS5 scaffold benchmark: `node scripts/with-services.mjs node bench/scaffold.mjs` after
// `pnpm build`. One process: a bare Fastify route and an app with core + the scaffold plugin
// listen on 127.0.0.1; autocannon drives both from a worker thread. Generation time is taken
// one request at a time in-process (auth, agent lookup, audit, the whole ZIP); memory is read
// before and after rounds of 50 concurrent downloads. It reports and always exits 0.

import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import os from 'node:os'
import v8 from 'node:v8'
import vm from 'node:vm'
import autocannon from 'autocannon'
import Fastify from 'fastify'
import { HOST, startBareRoute } from './bare-route.mjs'
import corePlugin, { RedisKeyValueStore, SigningKeys } from '../packages/core/dist/index.js'
import scaffoldPlugin from '../packages/plugin-scaffold/dist/index.js'

const requireFromCore = createRequire(new URL('../packages/core/package.json', import.meta.url))
const pg = requireFromCore('pg')
const { Redis } = requireFromCore('ioredis')

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const SEQUENTIAL = 300
const CONCURRENT = 50
const ROUNDS = 10
const WATCHDOG_MS = 110_000
const TARGETS = { generationP50Ms: 20, rpsPerCore: 200, heapGrowthMb: 10 }

const log = (message) => process.stderr.write(`bench: ${message}\n`)
setTimeout(() => { console.log('bench: watchdog fired; results above are partial'); process.exit(0) }, WATCHDOG_MS).unref()
// A full collection before each memory reading, without asking for --expose-gc on the command line.
v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc')
const megabytes = (bytes) => bytes / 1024 / 1024
function memory () {
  gc()
  const { rss, heapUsed } = process.memoryUsage()
  return { rss: megabytes(rss), heap: megabytes(heapUsed) }
}

async function cannon (url, options = {}) {
  await autocannon({ url, connections: CONNECTIONS, duration: 1, workers: 1, ...options }) // warm-up
  const elu = performance.eventLoopUtilization()
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, workers: 1, ...options })
  return {
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors,
    // The server thread's busy share: req/s ÷ ELU is what one fully busy core would serve.
    elu: performance.eventLoopUtilization(elu).utilization,
    bytes: result.throughput.average
  }
}

const bare = await startBareRoute('GET')
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })
const redis = new Redis(process.env.REDIS_URL)
const store = new RedisKeyValueStore(redis)
const app = Fastify({ logger: false })
await app.register(corePlugin, { database: pool, store, signingKeys: SigningKeys.generatePem('ES256') })
await app.register(scaffoldPlugin, { prefix: '/api/v1' })
await app.listen({ host: HOST, port: 0 })
const base = `http://${HOST}:${app.server.address().port}/api/v1`

const { sentryagent } = app
const org = await sentryagent.organizations.create(`Bench ${Date.now()}`, 'enterprise')
const tokenResponse = await app.inject({ method: 'POST', url: '/api/v1/token', payload: { grant_type: 'client_credentials', client_id: org.clientId, client_secret: org.clientSecret } })
const headers = { authorization: `Bearer ${tokenResponse.json().access_token}` }
const path = (language) => `/api/v1/sdk/scaffold/${org.agentId}?language=${language}`

// Generation: one request at a time, per language, the whole ZIP received.
const generation = {}
for (const language of ['typescript', 'python', 'go', 'java', 'rust']) {
  log(`generation, ${language}`)
  const times = []
  let size = 0
  for (let i = 0; i < SEQUENTIAL / 5 + 10; i++) {
    const started = performance.now()
    const response = await app.inject({ method: 'GET', url: path(language), headers })
    if (response.statusCode !== 200) throw new Error(`download failed: ${response.statusCode} ${response.body}`)
    if (i >= 10) times.push(performance.now() - started) // the first ones warm up
    size = response.rawPayload.length
  }
  times.sort((a, b) => a - b)
  generation[language] = { p50: times[Math.floor(times.length / 2)], p99: times[Math.ceil(times.length * 0.99) - 1], size }
}

log('bare route'); const bareResult = await cannon(bare.url)
log('scaffold typescript over HTTP'); const scaffold = await cannon(`${base}${path('typescript').slice('/api/v1'.length)}`, { headers })

log(`memory: ${ROUNDS} rounds of ${CONCURRENT} concurrent downloads`)
const before = memory()
let peakRss = before.rss
for (let round = 0; round < ROUNDS; round++) {
  const answers = await Promise.all(Array.from({ length: CONCURRENT }, async () => {
    const response = await fetch(`${base}${path('java').slice('/api/v1'.length)}`, { headers })
    await response.arrayBuffer()
    return response.status
  }))
  if (answers.some((status) => status !== 200)) throw new Error(`concurrent downloads failed: ${answers.join(',')}`)
  peakRss = Math.max(peakRss, megabytes(process.memoryUsage().rss))
}
const after = memory()

const verdict = (ok) => ok ? 'PASS' : 'FAIL'
const row = (name, r) => `${name.padEnd(30)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(3)} ms  ratio ${(r.rps / bareResult.rps).toFixed(3)}  server thread busy ${(r.elu * 100).toFixed(0)} %  non-2xx ${r.non2xx}`
console.log(`\nWS5 scaffold bench — ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${CONNECTIONS} connections, ${SECONDS} s per run`)
console.log(row('bare GET route', bareResult))
console.log(row('GET /sdk/scaffold (typescript)', scaffold))
for (const [language, g] of Object.entries(generation)) {
  console.log(`generation ${language.padEnd(10)} (in-process, sequential): p50 ${g.p50.toFixed(2)} ms  p99 ${g.p99.toFixed(2)} ms  ZIP ${(g.size / 1024).toFixed(1)} KiB`)
}
console.log(`memory (after a full GC): RSS ${before.rss.toFixed(1)} → ${after.rss.toFixed(1)} MB (peak ${peakRss.toFixed(1)} MB), heap ${before.heap.toFixed(1)} → ${after.heap.toFixed(1)} MB over ${ROUNDS}×${CONCURRENT} concurrent downloads`)

const perCore = scaffold.rps / Math.max(scaffold.elu, 0.01)
const heapGrowth = after.heap - before.heap
console.log('\ntargets')
console.log(`  generation p50 < ${TARGETS.generationP50Ms} ms (typescript): ${generation.typescript.p50.toFixed(2)} ms  ${verdict(generation.typescript.p50 < TARGETS.generationP50Ms)}`)
console.log(`  ≥ ${TARGETS.rpsPerCore} req/s per core (req/s ÷ server thread busy share): ${perCore.toFixed(0)} req/s  ${verdict(perCore >= TARGETS.rpsPerCore)}`)
console.log(`  memory flat (heap growth < ${TARGETS.heapGrowthMb} MB after GC): ${heapGrowth >= 0 ? '+' : ''}${heapGrowth.toFixed(1)} MB  ${verdict(heapGrowth < TARGETS.heapGrowthMb)}`)

await app.close()
await bare.close()
await store.close()
await pool.end()
redis.disconnect()
process.exit(0)
