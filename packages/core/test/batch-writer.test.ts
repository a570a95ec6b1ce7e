import t from 'tap'
import { BatchWriter } from '../src/services/batch-writer.js'

/** A write that takes a few event-loop turns and records how many batches overlapped. */
function slowDouble (): { write: (items: number[]) => Promise<number[]>, batches: number[][], maxInFlight: () => number } {
  const batches: number[][] = []
  let inFlight = 0
  let maxInFlight = 0
  return {
    batches,
    maxInFlight: () => maxInFlight,
    write: async (items) => {
      batches.push(items)
      maxInFlight = Math.max(maxInFlight, ++inFlight)
      await new Promise((resolve) => setTimeout(resolve, 5))
      inFlight--
      return items.map((item) => item * 2)
    }
  }
}

t.test('items added in one tick share one batch and each caller gets its own result', async (t) => {
  const { write, batches } = slowDouble()
  const writer = new BatchWriter(write, 4)
  t.same(await Promise.all([1, 2, 3].map(async (item) => writer.add(item))), [2, 4, 6])
  t.same(batches, [[1, 2, 3]])
})

t.test('up to `concurrency` batches are in flight, never more; idle() waits for all of them', async (t) => {
  const { write, batches, maxInFlight } = slowDouble()
  const writer = new BatchWriter(write, 2)
  const results: Array<Promise<number>> = []
  for (let tick = 0; tick < 6; tick++) {
    results.push(writer.add(tick))
    await new Promise((resolve) => setImmediate(resolve))
  }
  await writer.idle()
  t.same(await Promise.all(results), [0, 2, 4, 6, 8, 10])
  t.equal(maxInFlight(), 2)
  t.same(batches.flat().sort(), [0, 1, 2, 3, 4, 5], 'every item written once')
})

t.test('a failed batch rejects its own callers only', async (t) => {
  const writer = new BatchWriter<number, number>(async (items) => {
    if (items.includes(13)) throw new Error('unlucky')
    return items
  }, 2)
  await t.rejects(writer.add(13), { message: 'unlucky' })
  t.equal(await writer.add(7), 7)
})
