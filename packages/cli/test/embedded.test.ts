import t from 'tap'
import { execFileSync } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { buildServer, OPERATOR_FILE, openRuntime, readConfig, type OperatorHandle } from '@sentryagent/server'
import { run } from '../src/run.js'
import { buildApp, captureOutput, requestToken, tempDir } from './helpers.js'

const embeddedEnv = (dataDir: string): Record<string, string> => ({ SENTRYAGENT_DATA_DIR: dataDir, LOG_LEVEL: 'silent' })

async function orgCreate (env: Record<string, string>): Promise<{ code: number, created?: { organizationId: string, clientId: string, clientSecret: string }, stderr: string }> {
  const output = captureOutput()
  const code = await run(['org', 'create', '--name', 'Embedded', '--json'], output, env)
  return { code, created: code === 0 ? JSON.parse(output.stdout()) : undefined, stderr: output.stderr() }
}

t.test('with no server running, org create and migrate open the embedded database themselves, and let go of it', async (t) => {
  const env = embeddedEnv(await tempDir(t))
  const { code, created, stderr } = await orgCreate(env)
  t.equal(code, 0, stderr)

  const output = captureOutput()
  t.equal(await run(['migrate'], output, env), 0, output.stderr())
  t.match(output.stdout(), 'Database schema is up to date')

  const app = await buildApp(t, env)
  t.equal((await requestToken(app, created!.clientId, created!.clientSecret)).statusCode, 200, 'the server sees the organization')
})

t.test('while an embedded server runs, org create goes through it and the server sees the organization', async (t) => {
  const env = embeddedEnv(await tempDir(t))
  const app = await buildServer(readConfig(env))
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })

  const { code, created, stderr } = await orgCreate(env)
  t.equal(code, 0, stderr)
  t.equal((await requestToken(app, created!.clientId, created!.clientSecret)).statusCode, 200)
  t.equal((await app.sentryagent.organizations.get(created!.organizationId)).name, 'Embedded')

  const output = captureOutput()
  t.equal(await run(['migrate'], output, env), 0)
  t.match(output.stdout(), 'nothing to do', 'the running server applied its migrations')
})

t.test('a server that refuses the operator token makes org create fail: exit 1', async (t) => {
  const dataDir = await tempDir(t)
  const app = await buildServer(readConfig(embeddedEnv(dataDir)))
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const file = join(dataDir, OPERATOR_FILE)
  const handle = JSON.parse(await readFile(file, 'utf8')) as OperatorHandle
  await writeFile(file, JSON.stringify({ ...handle, operatorToken: 'forged' }))

  const { code, stderr } = await orgCreate(embeddedEnv(dataDir))
  t.equal(code, 1)
  t.match(stderr, 'refused')
})

t.test('a handle left by a dead server is ignored', async (t) => {
  const dataDir = await tempDir(t)
  const deadPid = Number(execFileSync(process.execPath, ['-p', 'process.pid'], { encoding: 'utf8' }))
  await writeFile(join(dataDir, OPERATOR_FILE), JSON.stringify({ url: 'http://127.0.0.1:1', operatorToken: 'stale', pid: deadPid }))
  const { code, stderr } = await orgCreate(embeddedEnv(dataDir))
  t.equal(code, 0, stderr)
})

t.test('while a server is still starting (database open, not yet listening), org create refuses rather than open it twice', async (t) => {
  const env = embeddedEnv(await tempDir(t))
  const runtime = await openRuntime(readConfig(env))
  t.teardown(() => runtime.close())
  const { code, stderr } = await orgCreate(env)
  t.equal(code, 1)
  t.match(stderr, `in use by process ${process.pid}`)
})
