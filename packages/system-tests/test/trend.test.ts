import t from 'tap'
import { afterWarmUp, fitTrend, growthBound, liveHeapGrowth, median, type ProcessSample } from '../src/index.js'

// The soak's leak check on synthetic live-heap series: it must fail a leak and pass noise.
const MIB = 2 ** 20

/** A series like the soak's: `seconds` long, one sample each `every` s, a live heap of 85 MiB + growth + noise. */
function series (seconds: number, every: number, growthPerMinute: (minute: number) => number, noiseMiB = 0.4): ProcessSample[] {
  // A fixed-seed generator: the same noise on every run.
  let seed = 42
  const noise = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return (seed / 2 ** 31 - 0.5) * 2 * noiseMiB * MIB
  }
  return Array.from({ length: Math.floor(seconds / every) + 1 }, (_, index) => {
    const at = index * every
    return { at, rssBytes: 0, heapUsedBytes: 0, externalBytes: 0, lagP99Seconds: 0, collectionMs: 0, liveHeapBytes: 85 * MIB + growthPerMinute(at / 60) + noise() }
  })
}

t.test('the fit finds a line\'s slope exactly, and an error from the scatter', async (t) => {
  const line = Array.from({ length: 10 }, (_, x) => ({ x, y: 3 * x + 2 }))
  t.same(fitTrend(line), { slope: 3, standardError: 0 })
  t.ok(fitTrend(line.map(({ x, y }) => ({ x, y: y + (x % 2 === 0 ? 1 : -1) }))).standardError > 0)
  t.equal(fitTrend(line.slice(0, 2)).standardError, Number.POSITIVE_INFINITY, 'two points tell nothing')
  t.same(afterWarmUp(line, 0.3).map(({ x }) => x), [3, 4, 5, 6, 7, 8, 9], 'warm-up: the first 30 % of the span')
  t.equal(median([5, 1, 3]), 3)
  t.equal(median([4, 1, 3, 2]), 2.5)
})

t.test('a flat live heap with noise passes, in the CI run and the full one', async (t) => {
  for (const [seconds, every] of [[60, 5], [600, 10]] as const) {
    const growth = liveHeapGrowth(series(seconds, every, () => 0), growthBound(seconds))
    t.notOk(growth.leaking, `${seconds} s: ${(growth.bytesPerMinute / MIB).toFixed(2)} ± ${(2 * growth.standardError / MIB).toFixed(2)} MiB/min`)
  }
})

t.test('the warm-up is left out, and its tail passes the CI run', async (t) => {
  // +4 MiB over the first 15 s, as compiled code and pools fill, then 2 MiB a minute more.
  const growth = liveHeapGrowth(series(60, 5, (minute) => Math.min(minute / 0.25, 1) * 4 * MIB + minute * 2 * MIB), growthBound(60))
  t.notOk(growth.leaking, `${(growth.bytesPerMinute / MIB).toFixed(2)} ± ${(2 * growth.standardError / MIB).toFixed(2)} MiB/min`)
  t.ok(growth.bytesPerMinute < 3 * MIB, 'the ramp is not in the trend')
})

t.test('a leak of a kilobyte per request fails the CI run', async (t) => {
  // 75 requests a second per instance, 1 KiB kept by each: 4.4 MiB a minute.
  const growth = liveHeapGrowth(series(60, 5, (minute) => minute * 75 * 60 * 1024), growthBound(60))
  t.ok(growth.leaking, `${(growth.bytesPerMinute / MIB).toFixed(2)} ± ${(2 * growth.standardError / MIB).toFixed(2)} MiB/min`)
})

t.test('a slow leak fails the full run though the CI run cannot tell it from the warm-up', async (t) => {
  // 0.4 MiB a minute, about 90 bytes per request: what verified delegation tokens kept did.
  const slow = (minute: number): number => minute * 0.4 * MIB
  t.ok(liveHeapGrowth(series(600, 10, slow), growthBound(600)).leaking, '600 s: leaking')
  t.notOk(liveHeapGrowth(series(60, 5, slow), growthBound(60)).leaking, '60 s: within the bound')
})
