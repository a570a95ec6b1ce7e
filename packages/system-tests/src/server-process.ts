import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, freePorts, waitFor } from './processes.js'

const SERVER_MAIN = join(dirname(fileURLToPath(import.meta.resolve('@sentryagent/server/package.json'))), 'dist', 'main.js')

/** One `node packages/server/dist/main.js` process on its own port, its output kept for inspection. */
export class ServerProcess {
  readonly #output: string[] = []
  #child: ChildProcess | undefined
  #exited: Promise<number | null> | undefined
  #stopping = false
  port = 0

  constructor (readonly name: string, private readonly env: Record<string, string>) {}

  get url (): string { return `http://127.0.0.1:${this.port}` }
  /** Everything the process wrote to stdout and stderr so far. */
  get output (): string { return this.#output.join('') }
  get running (): boolean { return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null }
  /** Running and not told to stop: where a load balancer would still send requests. */
  get accepting (): boolean { return this.running && !this.#stopping }

  /** Spawns the process without waiting for it to listen (so several can start at the same moment). */
  async spawn (): Promise<void> {
    if (this.port === 0) this.port = await freePort()
    this.#stopping = false
    const child = spawn(process.execPath, [SERVER_MAIN], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(this.port), ...this.env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.#output.push(chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => this.#output.push(chunk))
    this.#exited = new Promise((resolve) => child.once('exit', (code) => { resolve(code) }))
    this.#child = child
  }

  /** Resolves once GET /health answers 200; fails with the process output when it exits or times out. */
  async ready (timeoutMs = 60_000): Promise<void> {
    await waitFor(async () => {
      if (!this.running) throw new Error(`${this.name} exited:\n${this.output}`)
      return (await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) })).status === 200
    }, timeoutMs, `${this.name} to answer /health`, 100).catch((error: unknown) => {
      throw new Error(`${this.name} did not become ready: ${(error as Error).message}\n${this.output}`)
    })
  }

  async start (): Promise<void> {
    await this.spawn()
    await this.ready()
  }

  /** Sends `signal` and resolves with the exit code once the process is gone. */
  async stop (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    this.#stopping = true
    if (this.running) this.#child!.kill(signal)
    return this.#exited ?? null
  }
}

/** Starts every process at the same moment and waits until all of them serve. */
export async function startTogether (servers: ServerProcess[]): Promise<void> {
  const unassigned = servers.filter((server) => server.port === 0)
  const ports = await freePorts(unassigned.length)
  unassigned.forEach((server, index) => { server.port = ports[index]! })
  await Promise.all(servers.map((server) => server.spawn()))
  await Promise.all(servers.map((server) => server.ready()))
}
