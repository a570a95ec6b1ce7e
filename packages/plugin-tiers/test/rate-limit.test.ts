import t from 'tap'
import { randomInt } from 'node:crypto'
import { buildApp, call, ManualClock, tenant } from './helpers.js'

// 12:00:30.250 UTC: 29.75 s left in the minute window, 0.75 s in the burst window.
const start = (): ManualClock => new ManualClock(Date.parse('2026-03-10T12:00:30.250Z'))

t.test('every limited response carries the x-ratelimit trio and the IETF fields', async (t) => {
  const clock = start()
  const app = await buildApp(t, { clock })
  const response = await call(app, await tenant(app))
  t.equal(response.statusCode, 200)
  t.equal(response.headers['x-ratelimit-limit'], '60')
  t.equal(response.headers['x-ratelimit-remaining'], '59')
  t.equal(response.headers['x-ratelimit-reset'], '30')
  t.equal(response.headers['ratelimit-policy'], '"minute";q=60;w=60, "burst";q=10;w=1, "day";q=1000;w=86400')
  t.equal(response.headers.ratelimit, '"minute";r=59;t=30, "burst";r=9;t=1, "day";r=999;t=43170')
})

t.test('concurrent requests decided together each get their own counts', async (t) => {
  const clock = start()
  const app = await buildApp(t, { clock })
  const caller = await tenant(app)
  const responses = await Promise.all(Array.from({ length: 12 }, () => call(app, caller)))
  const admitted = responses.filter((response) => response.statusCode === 200)
  const refused = responses.filter((response) => response.statusCode === 429)
  t.equal(admitted.length, 10, 'the burst of 10')
  t.same(admitted.map((response) => Number(response.headers['x-ratelimit-remaining'])).sort((a, b) => b - a), [59, 58, 57, 56, 55, 54, 53, 52, 51, 50])
  t.same(refused.map((response) => response.headers['x-ratelimit-remaining']), ['50', '50'], 'a refused request consumes nothing')
  t.same(refused.map((response) => response.headers.ratelimit), Array(2).fill('"minute";r=50;t=30, "burst";r=0;t=1, "day";r=990;t=43170'))
  t.same(refused.map((response) => response.headers['retry-after']), ['1', '1'], 'refused by the burst window')
})

t.test('the burst limit refuses the 11th request within a second, with the right retry-after', async (t) => {
  const clock = start()
  const app = await buildApp(t, { clock })
  const caller = await tenant(app)
  for (let i = 0; i < 10; i++) t.equal((await call(app, caller)).statusCode, 200)
  const limited = await call(app, caller)
  t.equal(limited.statusCode, 429)
  t.equal(limited.headers['retry-after'], '1')
  t.same(limited.json(), {
    code: 'RATE_LIMITED',
    message: 'Rate limit of 10 requests per 1s exceeded',
    details: { tier: 'free', limit: 10, window: '1s', retryAfter: 1, upgradeUrl: '/api/v1/billing/upgrade' }
  })
  clock.advance(1000)
  t.equal((await call(app, caller)).statusCode, 200, 'the next second admits again')
})

t.test('the minute limit is exact and reset / retry-after count to the end of the window', async (t) => {
  const clock = start()
  const app = await buildApp(t, { clock })
  const caller = await tenant(app)
  let admitted = 0
  for (let second = 0; second < 7; second++) {
    for (let i = 0; i < 10; i++) if ((await call(app, caller)).statusCode === 200) admitted++
    clock.advance(1000)
  }
  t.equal(admitted, 60, 'the tier allows 60 per minute, bursts of 10')
  const limited = await call(app, caller)
  t.equal(limited.statusCode, 429)
  // 12:00:37.250: 22.75 s to the end of the window.
  t.equal(limited.headers['retry-after'], '23')
  t.equal(limited.headers['x-ratelimit-reset'], '23')
  t.equal(limited.headers['x-ratelimit-remaining'], '0')
  t.match(limited.json(), { code: 'RATE_LIMITED', details: { tier: 'free', limit: 60, window: '1m', retryAfter: 23 } })
  clock.set('2026-03-10T12:01:00.000Z')
  t.equal((await call(app, caller)).statusCode, 200, 'a new window admits again')
})

t.test('one tenant exhausting its limit leaves the others untouched', async (t) => {
  const clock = start()
  const app = await buildApp(t, { clock })
  const busy = await tenant(app)
  const quiet = await tenant(app)
  for (let i = 0; i < 10; i++) await call(app, busy)
  t.equal((await call(app, busy)).statusCode, 429)
  const response = await call(app, quiet)
  t.equal(response.statusCode, 200)
  t.equal(response.headers['x-ratelimit-remaining'], '59')
})

t.test('an upgrade applies on the very next request, on every instance, with the counts so far', async (t) => {
  const clock = start()
  const first = await buildApp(t, { clock })
  const second = await buildApp(t, { clock })
  const caller = await tenant(first)
  for (let i = 0; i < 10; i++) await call(first, caller)
  t.equal((await call(second, caller)).statusCode, 429, 'both instances see the free burst used up')
  await first.sentryagent.organizations.changeTier(caller.organizationId, 'pro', { reason: 'test' })
  // The other instance drops its cached tier through Redis pub/sub.
  let response = await call(second, caller)
  for (let i = 0; i < 50 && response.statusCode !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    response = await call(second, caller)
  }
  t.equal(response.statusCode, 200)
  t.equal(response.headers['x-ratelimit-limit'], '600')
  t.equal(response.headers['x-ratelimit-remaining'], '589', 'the window kept its 10 earlier requests: the key holds no tier')
})

t.test('a route\'s own limit (config.rateLimit) is counted apart from the tier window', async (t) => {
  const clock = start()
  const app = await buildApp(t, {
    clock,
    routes: (app) => {
      app.get('/scaffold', { config: { scopes: [], rateLimit: { max: 2, timeWindow: '1 minute' } } as Record<string, unknown> }, async () => ({ ok: true }))
      app.get('/odd', { config: { scopes: [], rateLimit: { max: 'many' } } as Record<string, unknown> }, async () => ({ ok: true }))
    }
  })
  const caller = await tenant(app)
  const scaffold = () => app.inject({ url: '/scaffold', headers: { authorization: caller.authorization } })
  t.equal((await scaffold()).headers['ratelimit-policy'], '"route";q=2;w=60, "day";q=1000;w=86400')
  t.equal((await scaffold()).statusCode, 200)
  const limited = await scaffold()
  t.equal(limited.statusCode, 429)
  t.match(limited.json(), { details: { limit: 2, window: '1m', retryAfter: 30 } })
  const odd = await app.inject({ url: '/odd', headers: { authorization: caller.authorization } })
  t.equal(odd.headers['x-ratelimit-limit'], '60', 'an unusable override falls back to the tier')
  t.equal((await call(app, caller)).headers['x-ratelimit-remaining'], '58', 'the tier window saw only the /odd call and this one')
  t.equal((await app.inject({ url: '/api/v1/tiers' })).headers['x-ratelimit-limit'], undefined, 'GET /tiers is not limited')
})

t.test('unauthenticated requests are limited per client address', async (t) => {
  const clock = start()
  const app = await buildApp(t, { clock, limits: { anonymousPerMinute: 3 } })
  const address = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`
  const jwks = (remoteAddress: string) => app.inject({ url: '/.well-known/jwks.json', remoteAddress })
  for (let i = 0; i < 3; i++) t.equal((await jwks(address)).statusCode, 200)
  const limited = await jwks(address)
  t.equal(limited.statusCode, 429)
  t.match(limited.json(), { code: 'RATE_LIMITED', details: { tier: null, limit: 3, window: '1m' } })
  t.equal((await jwks('10.255.255.254')).statusCode, 200, 'another address is unaffected')
})

t.test('the daily API-call quota refuses calls until the next UTC day', async (t) => {
  const clock = new ManualClock(Date.parse('2026-03-10T23:30:00.000Z'))
  const app = await buildApp(t, { clock })
  const caller = await tenant(app)
  // 1,000 calls a day on the free tier: bursts of 10 every second, a fresh minute every 6 s.
  let admitted = 0
  for (let second = 0; admitted < 1000; second++) {
    for (let i = 0; i < 10; i++) if ((await call(app, caller)).statusCode === 200) admitted++
    clock.advance(second % 6 === 5 ? 60_000 - 5000 : 1000)
  }
  const limited = await call(app, caller)
  t.equal(limited.statusCode, 429)
  t.match(limited.json(), { code: 'RATE_LIMITED', details: { tier: 'free', limit: 1000, window: '1d' } })
  t.ok(Number(limited.headers['retry-after']) > 0 && Number(limited.headers['retry-after']) <= 1800, `retry-after ${limited.headers['retry-after']} s runs to midnight UTC`)
  clock.set('2026-03-11T00:00:00.000Z')
  t.equal((await call(app, caller)).statusCode, 200, 'a new UTC day')
})

t.test('routes registered before core are limited per address, not broken (no principal decoration there)', async (t) => {
  const app = await buildApp(t, { limits: { anonymousPerMinute: 2 }, routesBeforeCore: (early) => { early.get('/early', async () => ({ ok: true })) } })
  const address = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`
  const early = () => app.inject({ url: '/early', remoteAddress: address })
  t.equal((await early()).statusCode, 200)
  t.equal((await early()).headers['x-ratelimit-remaining'], '0')
  t.equal((await early()).statusCode, 429)
})
