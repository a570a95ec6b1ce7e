import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'

/**
 * `count` distinct ports nobody listens on right now: held open together while they are chosen,
 * since a port released by one call may be handed out again by the next.
 */
export async function freePorts (count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, async () => new Promise<net.Server>((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => { resolve(server) })
  })))
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port)
  await Promise.all(servers.map(async (server) => new Promise((resolve) => server.close(resolve))))
  return ports
}

/** A port nobody listens on right now. */
export async function freePort (): Promise<number> {
  return (await freePorts(1))[0]!
}

export const sleep = async (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` until it holds, failing after `timeoutMs`. */
export async function waitFor (what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(100)
  }
}

async function answersPing (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host: '127.0.0.1', port })
    const done = (ok: boolean): void => { socket.destroy(); resolve(ok) }
    socket.setTimeout(500, () => { done(false) })
    socket.on('error', () => { done(false) })
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => { done(chunk.toString().startsWith('+PONG')) })
  })
}

/** A redis-server of the test's own, on a free port, that the test may stop to simulate an outage. */
export class ThrowawayRedis {
  #process: ChildProcess | undefined

  private constructor (readonly port: number) {}

  get url (): string { return `redis://127.0.0.1:${this.port}` }

  static async start (): Promise<ThrowawayRedis> {
    const redis = new ThrowawayRedis(await freePort())
    await redis.start()
    return redis
  }

  async start (): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    child.on('error', () => {}) // reported by the wait below
    this.#process = child
    await waitFor(`redis-server on port ${this.port} (is redis-server installed?)`, async () => answersPing(this.port), 10_000)
  }

  async stop (): Promise<void> {
    const child = this.#process
    this.#process = undefined
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    await new Promise((resolve) => {
      child.once('exit', resolve)
      child.kill('SIGKILL')
    })
  }
}
