import t from 'tap'
import { spawn, execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url))

async function freePort (): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => { resolve(port) })
    })
  })
}

// The README promises that its curl walk-through works verbatim against the embedded default.
t.test('the README walk-through runs verbatim against an embedded server', async (t) => {
  const readme = await readFile(join(repositoryRoot, 'README.md'), 'utf8')
  const script = /## Five minutes with curl[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1]
  t.ok(script, 'the README has the walk-through block')
  const dataDir = await mkdtemp(join(tmpdir(), 'sentryagent-readme-'))
  const port = await freePort()
  // The embedded default: the test run's PostgreSQL and Redis must not leak into it.
  const { DATABASE_URL: _database, REDIS_URL: _redis, ...inherited } = process.env
  const env = { ...inherited, SENTRYAGENT_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'silent' }
  const server = spawn(process.execPath, [join(repositoryRoot, 'packages/server/dist/main.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM')
      await new Promise((resolve) => server.once('exit', resolve))
    }
    await rm(dataDir, { recursive: true, force: true })
  })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error('server did not start')) }, 60_000)
    server.once('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}`)) })
    server.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('API explorer')) {
        clearTimeout(timer)
        resolve()
      }
    })
  })

  const output = await new Promise<string>((resolve, reject) => {
    execFile('bash', ['-e', '-c', script!.replaceAll('127.0.0.1:3000', `127.0.0.1:${port}`)], { cwd: repositoryRoot, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout)
        else reject(new Error(`${error.message}\n${stderr}`))
      })
  })
  const agent = JSON.parse(output.trim().split('\n').pop()!)
  t.match(agent, { agentType: 'classifier', status: 'active', capabilities: ['agents:read'] })
})
