import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { accessSync, chownSync, constants, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, waitFor } from './processes.js'

/**
 * PostgreSQL and Redis started for one scenario only, so that it may stop and restart them
 * (the shared test services are never touched). Started as scripts/with-services.mjs does:
 * initdb + pg_ctl as the postgres user when running as root, redis-server in its own group.
 */
export class OwnPostgres {
  readonly #dir = mkdtempSync(join(tmpdir(), 'system-tests-pg-'))
  readonly #binDir: string
  readonly #asPostgres = process.getuid?.() === 0
  port = 0

  constructor () {
    this.#binDir = postgresBinDir()
    if (this.#asPostgres) {
      const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout)
      const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout)
      chownSync(this.#dir, uid, gid)
    }
  }

  get url (): string { return `postgres://postgres@127.0.0.1:${this.port}/postgres` }

  async init (): Promise<void> {
    this.port = await freePort()
    this.#run('initdb', ['-D', this.#dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'])
    this.start()
  }

  start (): void {
    const options = [`-p ${this.port}`, `-k '${this.#dir}'`, '-c listen_addresses=127.0.0.1', '-c fsync=off', '-c synchronous_commit=off', '-c max_connections=200'].join(' ')
    this.#run('pg_ctl', ['start', '-w', '-D', this.#dataDir, '-l', join(this.#dir, 'postgres.log'), '-o', options])
  }

  /** A fast shutdown: open connections are cut, as when a managed database fails over. */
  stop (): void {
    this.#run('pg_ctl', ['stop', '-w', '-m', 'fast', '-D', this.#dataDir])
  }

  destroy (): void {
    spawnSync(...this.#command('pg_ctl', ['stop', '-w', '-m', 'immediate', '-D', this.#dataDir]), { stdio: 'ignore' })
    rmSync(this.#dir, { recursive: true, force: true })
  }

  get #dataDir (): string { return join(this.#dir, 'data') }

  #command (name: string, args: string[]): [string, string[]] {
    const binary = join(this.#binDir, name)
    return this.#asPostgres ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args]
  }

  #run (name: string, args: string[]): void {
    const result = spawnSync(...this.#command(name, args), { cwd: this.#dir, encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr}${result.stdout}`)
  }
}

export class OwnRedis {
  #process: ChildProcess | undefined
  port = 0

  get url (): string { return `redis://127.0.0.1:${this.port}` }

  /** Starts redis-server (again, on the same port after a stop), with nothing persisted. */
  async start (): Promise<void> {
    if (this.port === 0) this.port = await freePort()
    const server = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore', detached: true })
    server.on('error', () => {})
    this.#process = server
    await waitFor(async () => spawnSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG', 10_000, 'redis-server to answer PING')
  }

  /** Kills the server outright: every connection drops and its data is gone, as in a crash. */
  async stop (): Promise<void> {
    const server = this.#process
    if (server === undefined || server.exitCode !== null || server.signalCode !== null) return
    await new Promise((resolve) => {
      server.once('exit', resolve)
      server.kill('SIGKILL')
    })
  }
}

/**
 * A Redis Cluster of `masters` nodes without replicas, nothing persisted: enough for every hash
 * slot to be served and for keys of different tags to land on different nodes.
 */
export class OwnRedisCluster {
  readonly #dir = mkdtempSync(join(tmpdir(), 'system-tests-redis-cluster-'))
  readonly #servers: ChildProcess[] = []
  ports: number[] = []

  constructor (private readonly masters = 3) {}

  /** The seed nodes, as REDIS_URL lists them with REDIS_CLUSTER=true. */
  get url (): string { return this.ports.map((port) => `redis://127.0.0.1:${port}`).join(',') }

  async start (): Promise<void> {
    for (let index = 0; index < this.masters; index++) {
      const port = await freePort()
      // The cluster bus listens on a port of its own (by default port + 10000, maybe out of range).
      const busPort = await freePort()
      const server = spawn('redis-server', ['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
        '--cluster-enabled', 'yes', '--cluster-config-file', join(this.#dir, `nodes-${port}.conf`)], { cwd: this.#dir, stdio: 'ignore', detached: true })
      server.on('error', () => {})
      this.#servers.push(server)
      this.ports.push(port)
    }
    for (const port of this.ports) await waitFor(async () => this.cli(port, 'ping') === 'PONG', 10_000, `redis-server ${port} to answer PING`)
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...this.ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' })
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stderr}${created.stdout}`)
    for (const port of this.ports) {
      await waitFor(async () => this.cli(port, 'cluster', 'info').includes('cluster_state:ok'), 10_000, `node ${port} to report cluster_state:ok`)
    }
  }

  /** One redis-cli command on one node; its output, trimmed. */
  cli (port: number, ...command: string[]): string {
    return spawnSync('redis-cli', ['-p', String(port), ...command], { encoding: 'utf8' }).stdout.trim()
  }

  /** Kills every node and removes their files. */
  async destroy (): Promise<void> {
    await Promise.all(this.#servers.filter((server) => server.exitCode === null && server.signalCode === null).map(async (server) => new Promise((resolve) => {
      server.once('exit', resolve)
      server.kill('SIGKILL')
    })))
    rmSync(this.#dir, { recursive: true, force: true })
  }
}

function postgresBinDir (): string {
  const candidates: string[] = []
  const configured = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' })
  if (configured.status === 0) candidates.push(configured.stdout.trim())
  const debian = '/usr/lib/postgresql'
  if (existsSync(debian)) candidates.push(...readdirSync(debian).sort((a, b) => Number(b) - Number(a)).map((version) => join(debian, version, 'bin')))
  const found = candidates.find((dir) => ['initdb', 'pg_ctl'].every((binary) => executable(join(dir, binary))))
  if (found === undefined) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install -y postgresql')
  return found
}

function executable (file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}
