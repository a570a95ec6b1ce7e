import t from 'tap'
import { RedisRateLimitStore, type RateLimitCheck, type RateLimitLeaseRequest, type RateLimitStore } from '../src/index.js'
import { TenantLeases } from '../src/leases.js'
import { buildApp, call, connectedRedis, ManualClock, tenant } from './helpers.js'

/** The real Redis store, counting its round trips. */
class CountedStore implements RateLimitStore {
  checks = 0
  constructor (private readonly store: RateLimitStore) {}
  async check (check: RateLimitCheck, requests: number, lease?: RateLimitLeaseRequest) { this.checks++; return this.store.check(check, requests, lease) }
  async consume (key: string, limit: number | null, ttlMs: number) { return this.store.consume(key, limit, ttlMs) }
  async read (keys: string[]) { return this.store.read(keys) }
}

t.test('three instances leasing allowances still admit at most the tier\'s limits in total', async (t) => {
  const redis = await connectedRedis(t)
  const clock = new ManualClock(Date.parse('2026-03-10T12:00:00.100Z'))
  const stores = [0, 1, 2].map(() => new CountedStore(new RedisRateLimitStore(redis)))
  const apps = await Promise.all(stores.map((store) => buildApp(t, { clock, limits: { store } })))
  const caller = await tenant(apps[0]!, 'pro') // 600 a minute, bursts of 100 a second
  let admitted = 0
  let requests = 0
  // Eight seconds of waves of 8 concurrent requests per instance: 144 asked for each second.
  for (let second = 0; second < 8; second++) {
    let thisSecond = 0
    for (let wave = 0; wave < 6; wave++) {
      const responses = await Promise.all(Array.from({ length: 24 }, (_, i) => call(apps[i % 3]!, caller)))
      requests += responses.length
      t.ok(responses.every((response) => [200, 429].includes(response.statusCode)))
      thisSecond += responses.filter((response) => response.statusCode === 200).length
    }
    t.ok(thisSecond <= 100, `second ${second}: ${thisSecond} admitted, never more than the burst`)
    admitted += thisSecond
    clock.advance(1000)
  }
  t.ok(admitted <= 600, `${admitted} admitted in the minute: zero over-admission across instances`)
  t.ok(admitted >= 500, `${admitted} admitted: unused leased units go back to the others`)
  const roundTrips = stores.reduce((sum, store) => sum + store.checks, 0)
  t.ok(roundTrips < requests / 4, `${roundTrips} store round trips for ${requests} requests: leases admit locally`)
  clock.advance(60_000)
  const status = await apps[0]!.inject({ url: '/api/v1/tiers/status', headers: { authorization: caller.authorization } })
  t.ok(status.json().usage.callsToday > admitted, 'every admitted call (and this one) was counted for the day')
})

t.test('a tier change ends a lease at once: the next request meets the new limits', async (t) => {
  const clock = new ManualClock(Date.parse('2026-03-10T12:00:00.100Z'))
  const app = await buildApp(t, { clock })
  const caller = await tenant(app, 'pro')
  for (let i = 0; i < 20; i++) t.equal((await call(app, caller)).statusCode, 200)
  await app.sentryagent.organizations.changeTier(caller.organizationId, 'free', { reason: 'test' })
  const response = await call(app, caller)
  t.equal(response.statusCode, 429, 'the free burst of 10 is used up already')
  t.equal(response.headers['x-ratelimit-limit'], '60')
  const status = await app.inject({ url: '/api/v1/tiers/status', headers: { authorization: caller.authorization } })
  t.equal(status.statusCode, 429)
  clock.advance(1000)
  const next = await app.inject({ url: '/api/v1/tiers/status', headers: { authorization: caller.authorization } })
  t.equal(next.json().usage.callsToday, 21, 'units leased and unused were handed back')
})

t.test('a check that fails after reaching Redis never hands the same units back twice', async (t) => {
  const redis = await connectedRedis(t)
  const store = new RedisRateLimitStore(redis)
  const asked: Array<RateLimitLeaseRequest | undefined> = []
  let loseReply = false
  // The script runs, then the reply is lost (a connection dropped mid-flight).
  const flaky: RateLimitStore = {
    check: async (check, requests, lease) => {
      asked.push(lease)
      const counts = await store.check(check, requests, lease)
      if (loseReply) throw new Error('connection lost')
      return counts
    },
    consume: async (key, limit, ttlMs) => store.consume(key, limit, ttlMs),
    read: async (keys) => store.read(keys)
  }
  const leases = new TenantLeases(flaky, 5000)
  const id = `flaky-${Date.now()}-${Math.random().toString(36).slice(2)}`
  const terms = (second: number) => (): RateLimitCheck => ({
    windowKey: `rl:{t:${id}}:w`, windowLimit: 1000, windowMs: 60_000, burstKey: `rl:{t:${id}}:b${second}`, burstLimit: 1000, burstMs: 1000,
    dailyKey: `rl:{t:${id}}:d`, dailyLimit: null, dailyTtlMs: 60_000
  })
  await leases.check(id, terms(0), 1)
  await leases.check(id, terms(0), 1) // asks for as many spare units as it used: one
  loseReply = true
  await t.rejects(leases.check(id, terms(1), 1), /connection lost/) // a new second: hands the spare unit back
  t.equal(asked.at(-1)?.refund?.units, 1)
  loseReply = false
  await leases.check(id, terms(1), 1)
  t.equal(asked.at(-1)?.refund, undefined, 'the unit handed back before is not handed back again')
  const [window] = await store.read([`rl:{t:${id}}:w`])
  t.ok(window! >= 4, `the window counted ${window} for 4 requests admitted in Redis: never fewer`)
})

t.test('checks of one tenant wait for the one in flight, then spend its lease', async (t) => {
  const redis = await connectedRedis(t)
  const counted = new CountedStore(new RedisRateLimitStore(redis))
  const leases = new TenantLeases(counted, 5000)
  const id = `serial-${Date.now()}-${Math.random().toString(36).slice(2)}`
  const terms = (): RateLimitCheck => ({
    windowKey: `rl:{t:${id}}:w`, windowLimit: 1000, windowMs: 60_000, burstKey: `rl:{t:${id}}:b`, burstLimit: 1000, burstMs: 1000,
    dailyKey: `rl:{t:${id}}:d`, dailyLimit: null, dailyTtlMs: 60_000
  })
  await leases.check(id, terms, 4) // used 4: the next check asks for 4 spare units
  const [first, second] = await Promise.all([leases.check(id, terms, 1), leases.check(id, terms, 2)])
  t.equal(counted.checks, 2, 'the second waited and was admitted from the first one\'s lease')
  t.match(first, { admitted: 1, spare: 4, window: 4 })
  t.match(second, { admitted: 2, window: 5 }, 'counted after the first')
})
