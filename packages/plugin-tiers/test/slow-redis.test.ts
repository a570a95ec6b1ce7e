import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { RedisRateLimitStore, type RateLimitCheck, type RateLimitCounts, type RateLimitLeaseRequest, type RateLimitStore } from '../src/index.js'
import { buildApp, call, connectedRedis, ManualClock, tenant, type Teardown } from './helpers.js'

/** The real Redis store; `afterSend` runs once each check is sent, and may hold its answer back. */
class HinderedStore implements RateLimitStore {
  constructor (private readonly store: RateLimitStore, private readonly afterSend: (reply: Promise<RateLimitCounts>) => Promise<RateLimitCounts>) {}
  async check (check: RateLimitCheck, requests: number, lease?: RateLimitLeaseRequest) { return this.afterSend(this.store.check(check, requests, lease)) }
  async consume (key: string, limit: number | null, ttlMs: number) { return this.store.consume(key, limit, ttlMs) }
  async read (keys: string[]) { return this.store.read(keys) }
}

async function redisStore (t: Teardown): Promise<RateLimitStore> {
  return new RedisRateLimitStore(await connectedRedis(t))
}

async function failedOpen (app: FastifyInstance): Promise<number> {
  const metrics = await app.sentryagent.metrics.getSingleMetricAsString('agentidp_rate_limit_decisions_total')
  return Number(/outcome="failed_open"\} (\d+)/.exec(metrics)?.[1] ?? 0)
}

/** Keeps the event loop busy, as a loaded machine or a long synchronous task would. */
function blockEventLoop (ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) { /* busy */ }
}

t.test('an event loop blocked past the deadline while Redis answers in time fails nothing open', async (t) => {
  let stall = false
  const store = new HinderedStore(await redisStore(t), async (reply) => {
    if (stall) {
      stall = false
      blockEventLoop(150) // three deadlines; Redis answers meanwhile
    }
    return reply
  })
  const app = await buildApp(t, { limits: { store, decisionTimeoutMs: 50 } })
  const caller = await tenant(app, 'pro')
  // The tier is cached and the script loaded before the stall.
  for (let i = 0; i < 5 && (await call(app, caller)).headers['x-ratelimit-limit'] === undefined; i++);
  const before = await failedOpen(app)
  stall = true
  const responses = await Promise.all(Array.from({ length: 8 }, async () => call(app, caller)))
  t.notOk(stall, 'a check was sent and the loop stalled')
  t.ok(responses.every((response) => response.statusCode === 200), 'all within the pro limits')
  t.ok(responses.every((response) => response.headers['x-ratelimit-limit'] === '600'), 'every request was decided by the counters')
  t.equal(await failedOpen(app) - before, 0, 'no decision failed open')
})

t.test('requests queued behind their tenant\'s slow but timely checks are decided by the counters, none over the limit', async (t) => {
  // Each round trip takes 20 ms, well within the 250 ms deadline; queued one after another they take far longer.
  const store = new HinderedStore(await redisStore(t), async (reply) => {
    const counts = await reply
    await sleep(20)
    return counts
  })
  const app = await buildApp(t, { clock: new ManualClock(Date.parse('2026-03-10T12:00:00.100Z')), limits: { store, decisionTimeoutMs: 250 } })
  const caller = await tenant(app) // free: bursts of 10 a second
  const pending: Array<ReturnType<typeof call>> = []
  for (let i = 0; i < 40; i++) {
    pending.push(call(app, caller))
    await sleep(3)
  }
  const responses = await Promise.all(pending)
  const admitted = responses.filter((response) => response.statusCode === 200).length
  t.equal(admitted, 10, `${admitted} admitted: exactly the burst, zero over-admission`)
  t.equal(responses.filter((response) => response.statusCode === 429).length, 30, 'the others refused with 429')
  t.ok(responses.every((response) => response.headers['x-ratelimit-limit'] === '60'), 'every request was decided by the counters')
  t.equal(await failedOpen(app), 0, 'no decision failed open')
})

t.test('a request queued behind a hung check is decided with it, within the one deadline', async (t) => {
  let hang = false
  const store = new HinderedStore(await redisStore(t), async (reply) => hang ? new Promise<never>(() => {}) : reply)
  const app = await buildApp(t, { limits: { store, decisionTimeoutMs: 50, redisFailure: 'closed' } })
  const caller = await tenant(app, 'pro')
  for (let i = 0; i < 5 && (await call(app, caller)).headers['x-ratelimit-limit'] === undefined; i++);
  hang = true
  const started = performance.now()
  const first = Promise.all(Array.from({ length: 8 }, async () => call(app, caller))) // more than any lease holds
  await sleep(10)
  const queued = await Promise.all(Array.from({ length: 4 }, async () => call(app, caller)))
  const ms = performance.now() - started
  t.ok((await first).every((response) => response.statusCode === 503))
  t.ok(queued.every((response) => response.statusCode === 503), 'closed, as the check they waited for')
  t.ok(ms < 1000, `decided in ${ms.toFixed(0)} ms: no deadline per queued request`)
})
