import t from 'tap'
import { buildApp, call, ManualClock, tenant } from './helpers.js'

t.test('three instances sharing Redis admit at most the tier\'s limit in total under concurrent load', async (t) => {
  const clock = new ManualClock(Date.parse('2026-03-10T12:00:00.100Z'))
  const apps = await Promise.all([buildApp(t, { clock }), buildApp(t, { clock }), buildApp(t, { clock })])
  const caller = await tenant(apps[0]!)
  let admitted = 0
  // Seven seconds of 90 concurrent requests (30 per instance): bursts of 10, then the minute's 60 are used up.
  for (let second = 0; second < 7; second++) {
    const responses = await Promise.all(Array.from({ length: 90 }, (_, i) => call(apps[i % 3]!, caller)))
    const ok = responses.filter((response) => response.statusCode === 200).length
    t.equal(ok, second < 6 ? 10 : 0, `second ${second}: exactly the burst, never more`)
    t.ok(responses.every((response) => [200, 429].includes(response.statusCode)))
    t.ok(responses.every((response) => response.headers['x-ratelimit-limit'] === '60'), 'every request was decided by the shared counters')
    admitted += ok
    clock.advance(1000)
  }
  t.equal(admitted, 60, 'zero over-admission across instances')
})
