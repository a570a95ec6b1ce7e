import t from 'tap'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { SigningKeys } from '@sentryagent/core'
import { productionEnv } from './helpers.js'

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const EXIT_TIMEOUT_MS = 20_000

interface Result { code: number | null, stdout: string, stderr: string, elapsed: number }

/** Runs the built `sentryagent` bin; a process still alive after the timeout is killed and reported. */
function sentryagent (args: string[], env: Record<string, string> = {}): Promise<Result> {
  const started = Date.now()
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: EXIT_TIMEOUT_MS, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null
      resolve({ code, stdout, stderr, elapsed: Date.now() - started })
    })
  })
}

t.test('the installed bin prints its help and version, and exits 2 on a usage error', async (t) => {
  const help = await sentryagent(['--help'])
  t.equal(help.code, 0)
  t.match(help.stdout, /^sentryagent — SentryAgent command line\n/)
  t.match(help.stdout, 'Usage:')

  const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  const printed = await sentryagent(['--version'])
  t.equal(printed.code, 0)
  t.equal(printed.stdout, `${version}\n`)

  const unknown = await sentryagent(['frobnicate'])
  t.equal(unknown.code, 2)
  t.equal(unknown.stdout, '')
  t.match(unknown.stderr, 'Unknown command: frobnicate')
})

// Regression: a failure after the database or Redis was opened left connections keeping the process alive.
t.test('a failing command exits with 1 instead of hanging on open connections', async (t) => {
  const other = SigningKeys.generatePem('ES256')
  const mismatched = await sentryagent(['org', 'create', '--name', 'Acme'], productionEnv({ JWT_PUBLIC_KEY: other.publicKey }))
  t.equal(mismatched.code, 1, `key pair that does not match: exited after ${mismatched.elapsed} ms`)
  t.match(mismatched.stderr, 'public half')

  const noRedis = await sentryagent(['migrate'], productionEnv({ REDIS_URL: 'redis://127.0.0.1:1' }))
  t.equal(noRedis.code, 1, `unreachable Redis: exited after ${noRedis.elapsed} ms`)
  t.match(noRedis.stderr, /^Error: /)
})
