import t from 'tap'
import { spawn, execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url))
const cliModules = fileURLToPath(new URL('../node_modules', import.meta.url))
// The README's block must fit the promise with room to spare on a loaded machine.
const FIVE_MINUTES_MS = 300_000

async function freePort (): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => { resolve(port) })
    })
  })
}

/**
 * `npm install` would fetch the starter's two dev dependencies (the TypeScript compiler and Node's
 * types) from the registry; the test links this workspace's copies instead, so it runs offline.
 * Every other command of the block runs as written.
 */
const OFFLINE_NPM_INSTALL = `npm() {
  if [ "$1" = install ]; then
    mkdir -p node_modules/@types node_modules/.bin
    ln -s ${cliModules}/typescript node_modules/typescript
    ln -s ${cliModules}/@types/node node_modules/@types/node
    ln -s ../typescript/bin/tsc node_modules/.bin/tsc
  else
    command npm "$@"
  fi
}
`

t.test('time to first request: the README quick start for TypeScript, from server start to the agent printed', { timeout: FIVE_MINUTES_MS + 60_000 }, async (t) => {
  const readme = await readFile(join(repositoryRoot, 'README.md'), 'utf8')
  const script = /## First request in five minutes[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1]
  t.ok(script, 'the README has the quick-start block')
  const home = await mkdtemp(join(tmpdir(), 'sentryagent-first-request-'))
  t.teardown(() => rm(home, { recursive: true, force: true }))
  const port = await freePort()
  // The embedded default, as a new developer has it: the test run's PostgreSQL and Redis stay out.
  const { DATABASE_URL: _database, REDIS_URL: _redis, ...inherited } = process.env
  const env = { ...inherited, HOME: home, SENTRYAGENT_DATA_DIR: join(home, '.sentryagent'), PORT: String(port), LOG_LEVEL: 'silent' }

  const started = Date.now()
  const server = spawn(process.execPath, [join(repositoryRoot, 'packages/server/dist/main.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM')
      await new Promise((resolve) => server.once('exit', resolve))
    }
  })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error('server did not start')) }, 120_000)
    server.once('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}`)) })
    server.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('API explorer')) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  const serverReady = Date.now()

  const output = await new Promise<string>((resolve, reject) => {
    execFile('bash', ['-e', '-c', OFFLINE_NPM_INSTALL + script!.replaceAll('127.0.0.1:3000', `127.0.0.1:${port}`)], { cwd: repositoryRoot, env, timeout: FIVE_MINUTES_MS },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout)
        else reject(new Error(`${error.message}\n${stdout}\n${stderr}`))
      })
  })
  const seconds = (Date.now() - started) / 1000
  t.comment(`time to first request: ${seconds.toFixed(1)} s (server start ${((serverReady - started) / 1000).toFixed(1)} s, then the README block ${((Date.now() - serverReady) / 1000).toFixed(1)} s)`)
  console.log(`time to first request: ${seconds.toFixed(1)} s`)

  const agentId = /"agentId":\s*"([0-9a-f-]{36})"/.exec(output)?.[1]
  t.ok(agentId, `the starter printed an agent:\n${output}`)
  t.match(output, /"capabilities":\s*\[\s*"agents:read"\s*\]/, 'the agent the block created, with its own capability')
  t.match(output, /"email":\s*"my-agent-\d+@acme\.example"/)
  t.ok(seconds * 1000 < FIVE_MINUTES_MS, `under five minutes: ${seconds.toFixed(1)} s`)
})
