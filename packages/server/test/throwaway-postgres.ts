import { spawnSync } from 'node:child_process'
import { accessSync, chownSync, constants, existsSync, readdirSync, realpathSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { freePort } from './helpers.js'

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The directory holding initdb and pg_ctl of one installation (Debian keeps them out of PATH). */
function pgBinDir (): string {
  const candidates: string[] = []
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' })
  if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim())
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`))
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (isExecutable(join(dir, 'initdb'))) candidates.push(dirname(realpathSync(join(dir, 'initdb'))))
  }
  const found = candidates.find((dir) => ['initdb', 'pg_ctl'].every((bin) => isExecutable(join(dir, bin))))
  if (found === undefined) throw new Error('initdb and pg_ctl not found: apt-get install -y postgresql')
  return found
}

/**
 * A PostgreSQL cluster of the test's own, on a free port, that the test may stop and start
 * again to simulate an outage. PostgreSQL refuses to run as root, so as root it runs as `postgres`.
 */
export class ThrowawayPostgres {
  private constructor (private readonly binDir: string, private readonly dir: string, readonly port: number, private readonly asPostgres: boolean) {}

  get url (): string { return `postgres://postgres@127.0.0.1:${this.port}/postgres` }

  /** Creates the cluster in `dir` (which must be empty or absent) and starts it. */
  static async create (dir: string): Promise<ThrowawayPostgres> {
    const asPostgres = process.getuid?.() === 0
    if (asPostgres) {
      const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout)
      const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout)
      chownSync(dir, uid, gid)
    }
    const postgres = new ThrowawayPostgres(pgBinDir(), dir, await freePort(), asPostgres)
    postgres.#run('initdb', ['-D', postgres.#dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'])
    postgres.start()
    return postgres
  }

  get #dataDir (): string { return join(this.dir, 'pgdata') }

  start (): void {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`
    this.#run('pg_ctl', ['start', '-w', '-t', '30', '-D', this.#dataDir, '-l', join(this.dir, 'postgres.log'), '-o', options])
  }

  /** Fast shutdown: open connections are terminated, new ones refused. */
  stop (): void {
    this.#run('pg_ctl', ['stop', '-w', '-t', '30', '-m', 'fast', '-D', this.#dataDir])
  }

  /** Stops the cluster if it runs; the caller removes the directory. */
  destroy (): void {
    if (existsSync(join(this.#dataDir, 'postmaster.pid'))) this.stop()
  }

  #run (bin: string, args: string[]): void {
    const command = join(this.binDir, bin)
    const [file, argv] = this.asPostgres ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]
    const result = spawnSync(file, argv, { cwd: this.dir, encoding: 'utf8', timeout: 60_000 })
    if (result.status !== 0) throw new Error(`${bin} ${args[0]} failed: ${result.error?.message ?? ''}${result.stderr}${result.stdout}`)
  }
}
