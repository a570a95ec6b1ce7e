import net from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

export { sleep }

export function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => { resolve(port) })
    })
  })
}

/** Polls `check` until it answers true; fails naming `what` after `timeoutMs`. */
export async function waitFor (check: () => Promise<boolean>, timeoutMs: number, what: string, intervalMs = 50): Promise<number> {
  const started = performance.now()
  while (performance.now() - started < timeoutMs) {
    if (await check().catch(() => false)) return performance.now() - started
    await sleep(intervalMs)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}
