#!/usr/bin/env node
// WS2 delegation benchmark: `node scripts/with-services.mjs node bench/delegation.mjs` after
// `pnpm build`. One process: a bare Fastify route and an app with core + the delegation
// plugin listen on 127.0.0.1; autocannon drives both from a worker thread. Cold verifies are
// timed one by one on chains never verified before. It reports and always exits 0.

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

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const COLD_CHAINS = 100
const WATCHDOG_MS = 110_000
const TARGETS = { verifyDepth3: 0.5, delegate: 0.25, coldP99Ms: 5, depth5OverDepth1: 1.5 }

const log = (message) => process.stderr.write(`bench: ${message}\n`)
setTimeout(() => { console.log('bench: watchdog fired; results above are partial'); process.exit(0) }, WATCHDOG_MS).unref()

async function cannon (url, options) {
  await autocannon({ url, connections: CONNECTIONS, duration: 1, workers: 1, ...options }) // warm-up
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, workers: 1, ...options })
  return { rps: result['2xx'] / result.duration, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx + result.errors }
}

const bare = await startBareRoute('POST')

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })
const redis = new Redis(process.env.REDIS_URL)
const store = new RedisKeyValueStore(redis)
const app = Fastify({ logger: false })
await app.register(corePlugin, { database: pool, store, signingKeys: SigningKeys.generatePem('ES256') })
await app.register(delegationPlugin, { prefix: '/api/v1', maxLiveLinksPerDelegator: 1_000_000 })
await app.listen({ host: HOST, port: 0 })
const base = `http://${HOST}:${app.server.address().port}/api/v1`

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

const results = {}
log('bare route'); results.bare = await cannon(bare.url, { method: 'POST' })
for (const depth of [1, 3, 5]) {
  const leaf = await chainOf(depth)
  log(`verify-delegation warm, depth ${depth}`)
  const options = verifyOptions(leaf, depth)
  results[`verify${depth}`] = await cannon(options.url, options)
}
log('delegate (a root link per request)')
results.delegate = await cannon(`${base}/oauth2/token/delegate`, {
  method: 'POST', headers: { authorization: agents[0].authorization, 'content-type': 'application/json' },
  body: JSON.stringify({ delegateeAgentId: agents[1].agentId, scopes: ['reports:read'], ttlSeconds: 600 })
})

log(`cold verify: ${COLD_CHAINS} depth-5 chains, each verified once`)
const leaves = []
for (let i = 0; i < COLD_CHAINS; i++) leaves.push(await chainOf(5))
const cold = []
for (const leaf of leaves) {
  const started = performance.now()
  const response = await app.inject({ method: 'POST', url: '/api/v1/oauth2/token/verify-delegation', headers: { authorization: agents[5].authorization }, payload: { delegationToken: leaf.delegationToken } })
  cold.push(performance.now() - started)
  if (response.json().valid !== true) throw new Error(`cold verify failed: ${response.body}`)
}
cold.sort((a, b) => a - b)
const coldP50 = cold[Math.floor(cold.length * 0.5)]
const coldP99 = cold[Math.min(cold.length - 1, Math.ceil(cold.length * 0.99) - 1)]

const row = (name, r) => `${name.padEnd(28)} ${r.rps.toFixed(0).padStart(8)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(3)} ms  ratio ${(r.rps / results.bare.rps).toFixed(2)}  non-2xx ${r.non2xx}`
const verdict = (ok) => ok ? 'PASS' : 'FAIL'
console.log(`\nWS2 delegation bench — ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${CONNECTIONS} connections, ${SECONDS} s per run`)
console.log(row('bare POST route', results.bare))
for (const depth of [1, 3, 5]) console.log(row(`verify-delegation depth ${depth}`, results[`verify${depth}`]))
console.log(row('delegate', results.delegate))
console.log(`cold verify depth 5 (in-process inject, ${COLD_CHAINS} chains): p50 ${coldP50.toFixed(2)} ms  p99 ${coldP99.toFixed(2)} ms`)
const depthCost = results.verify1.rps / results.verify5.rps
console.log('\ntargets')
console.log(`  verify warm depth 3 ≥ ${TARGETS.verifyDepth3 * 100} % of bare: ${(results.verify3.rps / results.bare.rps * 100).toFixed(0)} %  ${verdict(results.verify3.rps / results.bare.rps >= TARGETS.verifyDepth3)}`)
console.log(`  cold verify depth 5 p99 < ${TARGETS.coldP99Ms} ms: ${coldP99.toFixed(2)} ms  ${verdict(coldP99 < TARGETS.coldP99Ms)}`)
console.log(`  warm verify cost depth 5 ≤ ${TARGETS.depth5OverDepth1}× depth 1: ${depthCost.toFixed(2)}×  ${verdict(depthCost <= TARGETS.depth5OverDepth1)}`)
console.log(`  delegate ≥ ${TARGETS.delegate * 100} % of bare: ${(results.delegate.rps / results.bare.rps * 100).toFixed(0)} %  ${verdict(results.delegate.rps / results.bare.rps >= TARGETS.delegate)}`)

await app.close()
await bare.close()
await store.close()
await pool.end()
redis.disconnect()
process.exit(0)
