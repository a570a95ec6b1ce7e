import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { databaseUrl, redisUrl } from '@sentryagent/test-support'
import { API, call, clientToken, createOrganizations, freshDatabase, redisDatabase, serverEnvironment, ServerProcess, startTogether } from '../src/index.js'
import { SCHEMATHESIS_VERSION, schemathesisCli } from './schemathesis/install.js'

// SCHEMATHESIS_MAX_EXAMPLES=500 SCHEMATHESIS_SEED=… for a longer local run.
const MAX_EXAMPLES = process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '30'
const SEED = process.env.SCHEMATHESIS_SEED ?? '20261130'
// Operations that may take the run's own token away (revoking it, decommissioning its agent):
// fuzzed last, in a run of their own, with a tenant of their own (the first run may rotate or
// revoke its tenant's credentials, which it finds through the listings).
const SELF_DESTRUCTIVE = ['POST /api/v1/token/revoke', 'DELETE /api/v1/agents/{agentId}']

// A first run installs schemathesis into its virtualenv (pip), which takes a while.
t.setTimeout(600_000)

const cli = schemathesisCli()
const workDir = await mkdtemp(join(tmpdir(), 'schemathesis-'))
const database = await freshDatabase(databaseUrl(), 'schemathesis')
const env = serverEnvironment(database.url, redisDatabase(redisUrl(), 5), {
  LOG_LEVEL: 'error',
  RATE_LIMIT_PER_MINUTE: '1000000',
  // Billing configured (its provider unreachable), as in the fast-check fuzzer.
  STRIPE_SECRET_KEY: 'sk_test_fuzz',
  STRIPE_WEBHOOK_SECRET: 'whsec_fuzz',
  STRIPE_API_URL: 'http://127.0.0.1:9'
})
const server = new ServerProcess('schemathesis', env)
t.teardown(async () => {
  await server.stop()
  await database.drop()
  await rm(workDir, { recursive: true, force: true })
})
await startTogether([server])
const [tenant, selfDestructiveTenant] = await createOrganizations(env, ['enterprise', 'enterprise'])

interface Run { status: number | null, output: string }

/** One `schemathesis run` over the live document, with a token of a tenant holding every scope. */
async function schemathesis (token: string, filter: string[]): Promise<Run> {
  const args = [
    'run', `${server.url}/openapi.json`, '--url', server.url, '-H', `Authorization: Bearer ${token}`,
    '--checks', 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
    '--max-response-time', '5', '--request-timeout', '10',
    '--max-examples', MAX_EXAMPLES, '--seed', SEED, '--workers', '1',
    '--suppress-health-check', 'all', '--generation-database', 'none', '--no-color', ...filter
  ]
  const child = spawn(cli, args, { cwd: workDir, env: { PATH: process.env.PATH ?? '', HOME: workDir, PYTHONIOENCODING: 'utf-8' }, stdio: ['ignore', 'pipe', 'pipe'] })
  const chunks: string[] = []
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk))
  const status = await new Promise<number | null>((resolve) => child.once('close', resolve))
  return { status, output: chunks.join('').replaceAll(token, '<token>') }
}

function report (t: Test, what: string, run: Run): void {
  const generated = /(\d+) generated/.exec(run.output)?.[0] ?? 'no test case'
  const elapsed = /in ([\d.]+s) =+\s*$/.exec(run.output)?.[1] ?? '?'
  t.comment(`schemathesis ${SCHEMATHESIS_VERSION} (${what}): ${generated} in ${elapsed}, seed ${SEED}, at most ${MAX_EXAMPLES} examples per operation`)
  // Exit 0 only when no check failed and nothing errored.
  t.equal(run.status, 0, `${what}: no server error, undocumented status, content type or response schema mismatch, nor slow answer`, run.status === 0 ? {} : { diagnostic: true, output: run.output.slice(-12_000) })
}

t.test('every operation but the self-destructive ones', async (t) => {
  const token = await clientToken(server.url, tenant!.clientId, tenant!.clientSecret)
  report(t, 'all operations', await schemathesis(token, SELF_DESTRUCTIVE.flatMap((name) => ['--exclude-name', name])))
  t.equal((await call(server.url, 'GET', `${API}/tiers/status`, { token })).status, 200, 'the token held to the end (the run was authenticated throughout)')
})

t.test('token revocation and agent decommissioning', async (t) => {
  const token = await clientToken(server.url, selfDestructiveTenant!.clientId, selfDestructiveTenant!.clientSecret)
  report(t, SELF_DESTRUCTIVE.join(', '), await schemathesis(token, SELF_DESTRUCTIVE.flatMap((name) => ['--include-name', name])))
})

t.test('the server logged no unhandled error', async (t) => {
  t.notMatch(server.output, /unhandled error/, 'no unhandled error in the server log')
})
