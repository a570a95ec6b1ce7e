/** The counters did not answer in time, or can't be asked at all: the failure policy applies. */
export class StoreUnavailableError extends Error {}

/**
 * The answer to a call already sent, or a rejection once it took longer than `ms`. Call it as
 * the call is sent, so that only the round trip counts (not time queued before it). A timer
 * that fires late because the event loop was busy runs before the loop reads the replies that
 * arrived meanwhile: the reply gets that one read (a `setImmediate`, after I/O) before the
 * call counts as late.
 */
export async function roundTrip<T> (call: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  let immediate: NodeJS.Immediate | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      immediate = setImmediate(() => { reject(new StoreUnavailableError(`the counters did not answer within ${ms} ms`)) })
    }, ms)
  })
  call.catch(() => {}) // it may settle after the deadline won
  try {
    return await Promise.race([call, deadline])
  } finally {
    clearTimeout(timer)
    if (immediate !== undefined) clearImmediate(immediate)
  }
}
