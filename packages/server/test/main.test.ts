import t from 'tap'
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { access, readdir } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { OPERATOR_FILE } from '../src/index.js'
import { freePort, tempDir } from './helpers.js'

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url))
const START_TIMEOUT_MS = 60_000
const GRACE_MS = 10_000

type Server = ChildProcessByStdio<null, Readable, Readable>

/** `node dist/main.js` in `cwd`, with only the variables given (no DATABASE_URL: embedded). */
function startMain (cwd: string, env: Record<string, string>): { child: Server, output: () => string } {
  const child = spawn(process.execPath, [MAIN], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  return { child, output: () => output }
}

function exited (child: Server): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  return new Promise((resolve) => child.once('exit', (code, signal) => { resolve({ code, signal }) }))
}

async function waitForLine (child: Server, output: () => string, text: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  while (!output().includes(text)) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output()}`)
    if (Date.now() > deadline) throw new Error(`no "${text}" within ${START_TIMEOUT_MS} ms:\n${output()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

t.test('main listens, prints where the explorer is, and exits 0 on SIGTERM, cleaning up', async (t) => {
  const cwd = await tempDir(t, 'sentryagent-main-')
  const port = await freePort()
  const { child, output } = startMain(cwd, { PORT: String(port), LOG_LEVEL: 'warn' })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  await waitForLine(child, output, 'API explorer')

  t.match(output(), `API explorer:  http://127.0.0.1:${port}/docs`)
  t.match(output(), 'org create', 'says how to create a first organization')
  const health = await fetch(`http://127.0.0.1:${port}/health`)
  t.equal(health.status, 200)
  t.equal((await health.json() as { status: string }).status, 'ok')
  const operatorFile = join(cwd, '.sentryagent', OPERATOR_FILE)
  await t.resolves(access(operatorFile), 'the operator handle is written in ./.sentryagent')

  const second = startMain(cwd, { PORT: String(await freePort()), LOG_LEVEL: 'warn' })
  t.equal((await exited(second.child)).code, 1, 'a second server on the same data exits 1')
  t.match(second.output(), `in use by process ${child.pid}`)
  t.notMatch(second.output(), /\n\s+at /, 'a setup problem, not a stack trace')

  const stopping = Date.now()
  child.kill('SIGTERM')
  const { code } = await exited(child)
  const elapsed = Date.now() - stopping
  t.equal(code, 0, output())
  t.ok(elapsed < GRACE_MS, `exited in ${elapsed} ms`)
  await t.rejects(access(operatorFile), { code: 'ENOENT' }, 'the operator handle is removed')
  t.same((await readdir(join(cwd, '.sentryagent'))).sort(), ['pgdata', 'signing-key-es256.json'], 'only the data and the key remain (the lock is released)')
})

t.test('main refuses a bad environment with every problem and exit code 1', async (t) => {
  const cwd = await tempDir(t, 'sentryagent-main-')
  const { child, output } = startMain(cwd, { PORT: 'abc', LOG_LEVEL: 'loud' })
  const { code } = await exited(child)
  t.equal(code, 1)
  t.match(output(), 'PORT must be')
  t.match(output(), 'LOG_LEVEL must be')
})

t.test('SIGTERM does not wait on a connection that never finishes a request: the close still runs and exits 0', async (t) => {
  const cwd = await tempDir(t, 'sentryagent-main-')
  const port = await freePort()
  const { child, output } = startMain(cwd, { PORT: String(port), LOG_LEVEL: 'warn' })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  await waitForLine(child, output, 'API explorer')
  // A client (or a load balancer) holding a connection whose request never completes.
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  t.teardown(() => { socket.destroy() })
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n')

  const stopping = Date.now()
  child.kill('SIGTERM')
  const { code } = await exited(child)
  const elapsed = Date.now() - stopping
  t.equal(code, 0, output())
  t.ok(elapsed < GRACE_MS, `exited in ${elapsed} ms, before the grace exit`)
  await t.rejects(access(join(cwd, '.sentryagent', OPERATOR_FILE)), { code: 'ENOENT' }, 'the close hooks ran (the operator handle is removed)')
})
