import t from 'tap'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createServer, type AddressInfo } from 'node:net'
import { run } from '../src/run.js'
import { EXIT } from '../src/exit-codes.js'
import { buildApp, captureOutput, productionEnv, tempDir, type App, type Teardown } from './helpers.js'

interface Admin { organizationId: string, agentId: string, clientId: string, clientSecret: string }

/** A live server on 127.0.0.1 and an organization's admin, as the CLI's environment. */
async function liveServer (t: Teardown, overrides: Record<string, string> = {}): Promise<{ app: App, url: string, admin: Admin, env: Record<string, string> }> {
  const app = await buildApp(t, productionEnv(overrides))
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const admin = await app.sentryagent.organizations.create(`CLI ${Math.random().toString(36).slice(2, 8)}`, 'pro')
  return { app, url, admin, env: { AGENTIDP_API_URL: url, AGENTIDP_CLIENT_ID: admin.clientId, AGENTIDP_CLIENT_SECRET: admin.clientSecret } }
}

async function cli (argv: string[], env: Record<string, string>): Promise<{ code: number, stdout: string, stderr: string }> {
  const output = captureOutput()
  const code = await run(argv, output, env)
  return { code, stdout: output.stdout(), stderr: output.stderr() }
}

/** A port nobody listens on right now. */
async function unusedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

const email = (): string => `cli-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.com`

t.test('token prints a bare access token the API accepts, or the token response with --json', async (t) => {
  const { app, env } = await liveServer(t)
  const bare = await cli(['token'], env)
  t.equal(bare.code, 0, bare.stderr)
  t.match(bare.stdout, /^[\w-]+\.[\w-]+\.[\w-]+$/)
  t.equal((await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${bare.stdout}` } })).statusCode, 200)

  const json = await cli(['token', '--json'], env)
  t.match(JSON.parse(json.stdout), { access_token: /\./, token_type: 'Bearer', expires_in: Number, scope: /agents:read/ })

  const flags = await cli(['token', '--api-url', env.AGENTIDP_API_URL!, '--client-id', env.AGENTIDP_CLIENT_ID!, '--client-secret', env.AGENTIDP_CLIENT_SECRET!], { AGENTIDP_CLIENT_ID: 'ignored', AGENTIDP_CLIENT_SECRET: 'ignored' })
  t.equal(flags.code, 0, 'flags win over the environment')
})

t.test('agents create (with its first credential), list and get, as text and as JSON', async (t) => {
  const { admin, env } = await liveServer(t)
  const created = await cli(['agents', 'create', '--email', email(), '--capabilities', 'agents:read, audit:read', '--agent-type', 'router', '--credential', '--json'], env)
  t.equal(created.code, 0, created.stderr)
  const agent = JSON.parse(created.stdout) as { agentId: string, capabilities: string[], credential: { clientId: string, clientSecret: string } }
  t.match(agent, { agentType: 'router', version: '1.0.0', deploymentEnv: 'development', capabilities: ['agents:read', 'audit:read'], credential: { clientId: agent.agentId, clientSecret: /^sk_live_/ } })
  const asNewAgent = await cli(['token', '--json'], { ...env, AGENTIDP_CLIENT_ID: agent.credential.clientId, AGENTIDP_CLIENT_SECRET: agent.credential.clientSecret })
  t.match(JSON.parse(asNewAgent.stdout), { scope: 'agents:read audit:read' }, 'the new credential works')

  const text = await cli(['agents', 'create', '--email', email()], env)
  t.equal(text.code, 0, text.stderr)
  t.match(text.stdout, /^Agent created: [0-9a-f-]{36}\nagentId +[0-9a-f-]{36}\n/)
  t.notMatch(text.stdout, 'Client secret', 'no credential unless asked')

  const list = await cli(['agents', 'list', '--json', '--limit', '10'], env)
  const page = JSON.parse(list.stdout) as { data: Array<{ agentId: string }>, total: number, limit: number }
  t.equal(page.total, 3)
  t.equal(page.limit, 10)
  t.ok(page.data.some((row) => row.agentId === agent.agentId))
  const table = await cli(['agents', 'list', '--status', 'active'], env)
  t.match(table.stdout, /^AGENT ID +STATUS +TYPE +ENV +EMAIL\n/)
  t.match(table.stdout, /3 of 3 agent\(s\), page 1$/)

  const got = await cli(['agents', 'get', admin.agentId, '--json'], env)
  t.match(JSON.parse(got.stdout), { agentId: admin.agentId, organizationId: admin.organizationId })
  t.match((await cli(['agents', 'get', agent.agentId], env)).stdout, /capabilities +agents:read audit:read/)
  t.equal((await cli(['agents', 'get'], env)).code, EXIT.USAGE)
  t.equal((await cli(['agents', 'create'], env)).code, EXIT.USAGE, '--email is required')
})

t.test('scaffold downloads the live starter for an agent and unpacks it ready to run', async (t) => {
  const { admin, env } = await liveServer(t)
  const target = join(await tempDir(t), 'my-agent')
  const result = await cli(['scaffold', '--agent-id', admin.agentId, '--language', 'typescript', '--out', target, '--json'], env)
  t.equal(result.code, 0, result.stderr)
  t.match(JSON.parse(result.stdout), { agentId: admin.agentId, language: 'typescript', directory: target })
  const example = await readFile(join(target, '.env.example'), 'utf8')
  t.match(example, `AGENTIDP_CLIENT_ID=${admin.clientId}`)
  t.match(example, 'AGENTIDP_CLIENT_SECRET=<your-client-secret>')
  t.notMatch(example, admin.clientSecret, 'the secret is never in the download')
  t.equal((await stat(join(target, 'run.sh'))).mode & 0o111, 0o111, 'run.sh is executable')
  t.match(await readFile(join(target, 'package.json'), 'utf8'), '"build"')
})

t.test('failures are explained and exit with their documented code', async (t) => {
  const { app, env } = await liveServer(t)
  const other = await app.sentryagent.organizations.create('Other tenant', 'free')

  const wrongSecret = await cli(['token'], { ...env, AGENTIDP_CLIENT_SECRET: 'sk_live_wrong' })
  t.equal(wrongSecret.code, EXIT.UNAUTHORIZED)
  t.match(wrongSecret.stderr, /^401 invalid_client: .+\nCheck AGENTIDP_CLIENT_ID and AGENTIDP_CLIENT_SECRET/)

  const foreign = await cli(['agents', 'get', other.agentId], env)
  t.equal(foreign.code, EXIT.NOT_FOUND, 'another tenant\'s agent does not exist for us')
  t.match(foreign.stderr, /^404 AGENT_NOT_FOUND: .+\nCheck the id/)
  const foreignScaffold = await cli(['scaffold', '--agent-id', other.agentId, '--out', join(await tempDir(t), 'x'), '--json'], env)
  t.equal(foreignScaffold.code, EXIT.NOT_FOUND)
  t.match(JSON.parse(foreignScaffold.stderr), { error: { code: 'AGENT_NOT_FOUND', exitCode: EXIT.NOT_FOUND } }, '--json errors are JSON')

  const nobody = `http://127.0.0.1:${await unusedPort()}`
  const unreachable = await cli(['agents', 'list'], { ...env, AGENTIDP_API_URL: nobody })
  t.equal(unreachable.code, EXIT.UNREACHABLE)
  t.match(unreachable.stderr, `Cannot reach the SentryAgent server at ${nobody} (ECONNREFUSED). Is it running?`)

  const noCredentials = await cli(['token'], { AGENTIDP_API_URL: env.AGENTIDP_API_URL! })
  t.equal(noCredentials.code, EXIT.USAGE)
  t.match(noCredentials.stderr, 'set AGENTIDP_CLIENT_ID and AGENTIDP_CLIENT_SECRET')
  t.equal((await cli(['token', '--api-url', 'ftp://example.com'], env)).code, EXIT.USAGE)
  t.equal((await cli(['token', '--api-url', 'not a url'], env)).code, EXIT.USAGE)
  const language = await cli(['scaffold', '--agent-id', 'x', '--language', 'cobol'], env)
  t.equal(language.code, EXIT.USAGE)
  t.match(language.stderr, '--language must be one of typescript, python, go, java, rust')
  t.equal((await cli(['scaffold'], env)).code, EXIT.USAGE)
})

t.test('a rate-limited download exits 7 and says when to retry', async (t) => {
  const { admin, env } = await liveServer(t)
  const directory = await tempDir(t)
  let result = { code: 0, stdout: '', stderr: '' }
  // 10 downloads a minute per tenant: the eleventh is refused.
  for (let attempt = 0; attempt < 11 && result.code === 0; attempt++) {
    result = await cli(['scaffold', '--agent-id', admin.agentId, '--out', join(directory, `s${attempt}`)], env)
  }
  t.equal(result.code, EXIT.RATE_LIMITED, result.stderr)
  t.match(result.stderr, /^429 \w+: .+\nRate limited: retry (in \d+ s|after .+)\.$/)
})
