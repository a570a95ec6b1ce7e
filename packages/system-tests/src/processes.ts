import { setTimeout as sleep } from 'node:timers/promises'

export { sleep }
export { freePort, freePorts } from '@sentryagent/test-support'

/** Polls `check` until it answers true; fails naming `what` after `timeoutMs`. */
export async function waitFor (check: () => Promise<boolean>, timeoutMs: number, what: string, intervalMs = 50): Promise<number> {
  const started = performance.now()
  while (performance.now() - started < timeoutMs) {
    if (await check().catch(() => false)) return performance.now() - started
    await sleep(intervalMs)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}
