import t from 'tap'
import { buildApp, call, ManualClock, tenant } from './helpers.js'
import { MemoryRateLimitStore } from '../src/index.js'

t.test('without Redis the counters live in memory with the same behaviour', async (t) => {
  const clock = new ManualClock(Date.parse('2026-03-10T12:00:00.500Z'))
  const app = await buildApp(t, { clock, limits: { redis: null } })
  const caller = await tenant(app)
  for (let i = 0; i < 10; i++) t.equal((await call(app, caller)).statusCode, 200)
  const limited = await call(app, caller)
  t.equal(limited.statusCode, 429)
  t.equal(limited.headers['retry-after'], '1')
  clock.advance(1000)
  const status = await app.inject({ url: '/api/v1/tiers/status', headers: { authorization: caller.authorization } })
  t.match(status.json().usage, { callsToday: 11, tokensToday: 1 })
})

t.test('the memory store forgets expired windows', async (t) => {
  const clock = new ManualClock(0)
  const store = new MemoryRateLimitStore(clock)
  const check = (key: string) => store.check({ windowKey: key, windowLimit: 1_000_000, windowMs: 1000, burstKey: key, burstLimit: null, burstMs: 1000, dailyKey: 'day', dailyLimit: null, dailyTtlMs: 1000 }, 1)
  t.equal((await store.consume('q', 1, 1000)).allowed, true)
  t.equal((await store.consume('q', 1, 1000)).allowed, false)
  for (let i = 0; i < 10_000; i++) await check(`k${i}`)
  clock.advance(5000)
  await check('fresh')
  t.same(await store.read(['q', 'k1', 'fresh']), [0, 0, 1])
})
