import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import fc from 'fast-check'
import { run } from '../src/run.js'
import { EXIT } from '../src/exit-codes.js'
import { captureOutput, productionEnv, redisUrl, scratchDatabase, tempDir } from './helpers.js'

// FUZZ_RUNS=5000 FUZZ_SEED=… for a longer local run.
const RUNS = Number(process.env.FUZZ_RUNS ?? 400)
const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 20_261_130)
const RUN_LIMIT_MS = Number(process.env.FUZZ_RUN_LIMIT_MS ?? 15_000)
const DOCUMENTED = new Set<number>(Object.values(EXIT))
const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m
// Nothing listens here: the developer commands fail to connect (server answers are out of scope).
const NOWHERE = 'http://127.0.0.1:9'

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', ' ', '-', '--', '---x', '\u0000', 'a\u0000b', '\ud800', '\u202eevil', '🦀', '../..', '/', '%', '-1', '0', '1e9', '99999999999999999999',
    'NaN', 'true', '2026-01-01', '2026-13-45', '0000-00-00', '9999-12-31', '00000000-0000-4000-8000-000000000000', 'x'.repeat(3000),
    'free', 'pro', 'enterprise', 'python', 'typescript', 'active', 'a:b', 'a@b.co', NOWHERE, 'ftp://x', 'http://[::1')
)
const words = fc.constantFrom('org', 'create', 'migrate', 'analytics', 'aggregate', 'scaffold', 'token', 'agents', 'list', 'get', 'help', 'delete')
const flags = fc.constantFrom('--help', '-h', '--version', '-v', '--json', '--name', '--tier', '--from', '--to', '--api-url', '--client-id', '--client-secret',
  '--agent-id', '--language', '--out', '--force', '--page', '--limit', '--status', '--email', '--capabilities', '--agent-type', '--agent-version',
  '--owner', '--deployment-env', '--credential', '--name=', '--json=false', '--no-json', '-xyz', '--', '--unknown')
const commands = fc.constantFrom(['org', 'create'], ['migrate'], ['analytics', 'aggregate'], ['scaffold'], ['token'], ['agents', 'list'], ['agents', 'get'], ['agents', 'create'], [])

// Each command with the options it takes, and values that may pass its checks, so that runs get past parsing.
const either = (...known: string[]): fc.Arbitrary<string> => fc.oneof(fc.constantFrom(...known), hostile)
const VALUES: Record<string, fc.Arbitrary<string>> = {
  tier: either('free', 'pro', 'enterprise'),
  from: either('2026-01-01', '2026-02-29', '1970-01-01'),
  to: either('2026-01-02', '2026-12-31'),
  'api-url': either(NOWHERE, 'http://127.0.0.1:0', 'https://[::1]:9'),
  'agent-id': either('00000000-0000-4000-8000-000000000000'),
  language: either('python', 'typescript', 'go', 'java', 'rust'),
  page: either('1', '2'),
  limit: either('1', '100', '101'),
  status: either('active', 'suspended', 'decommissioned'),
  email: either('fuzz@example.test'),
  capabilities: either('agents:read', 'agents:read,agents:write', ','),
  'agent-type': either('custom', 'router'),
  'agent-version': either('1.0.0', '1.0'),
  'deployment-env': either('development', 'production')
}
const SWITCHES = new Set(['json', 'force', 'credential'])
const CONNECTION = ['api-url', 'client-id', 'client-secret']
const COMMANDS: Array<[string[], string[]]> = [
  [['org', 'create'], ['name', 'tier']], [['migrate'], []], [['analytics', 'aggregate'], ['from', 'to']],
  [['scaffold'], [...CONNECTION, 'agent-id', 'language', 'out', 'force']], [['token'], CONNECTION],
  [['agents', 'list'], [...CONNECTION, 'page', 'limit', 'status']], [['agents', 'get'], [...CONNECTION, 'agent-id']],
  [['agents', 'create'], [...CONNECTION, 'email', 'capabilities', 'agent-type', 'agent-version', 'owner', 'deployment-env', 'credential']]
]
const wellFormed = fc.constantFrom(...COMMANDS).chain(([command, options]) => fc.subarray([...options, 'json']).chain((chosen) =>
  fc.tuple(...chosen.map((name) => SWITCHES.has(name) ? fc.constant([`--${name}`]) : (VALUES[name] ?? hostile).map((value) => [`--${name}`, value])))
    .map((pairs) => [...command, ...pairs.flat()])))

/** Command lines: a real command with its options, one with flags and values in any order, or anything at all. */
const argvs = fc.oneof(
  { weight: 3, arbitrary: wellFormed },
  { weight: 2, arbitrary: fc.tuple(commands, fc.array(fc.oneof(flags, hostile, flags), { maxLength: 8 })).map(([command, rest]) => [...command, ...rest]) },
  { weight: 1, arbitrary: fc.array(fc.oneof(words, flags, hostile), { maxLength: 8 }) }
)

/** An environment variable: mostly as an operator sets it, sometimes unset, broken or anything. */
const variable = (working: string | null, ...broken: string[]): fc.Arbitrary<string | null> => fc.oneof(
  { weight: 8, arbitrary: fc.constant(working) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: broken.length === 0 ? 0 : 1, arbitrary: broken.length === 0 ? fc.constant(null) : fc.constantFrom(...broken) },
  { weight: 1, arbitrary: hostile }
)

t.test('random command lines and environments: a documented exit code, never a stack trace or a hang', async (t) => {
  const database = await scratchDatabase(t)
  const dataDir = await tempDir(t)
  const real = productionEnv({ DATABASE_URL: database })
  // Each variable unset, a working value, a broken one or anything; the rest as an operator has it.
  const envs = fc.record({
    DATABASE_URL: variable(database, 'postgres://127.0.0.1:9/none', 'mysql://x'),
    REDIS_URL: variable(redisUrl(), 'redis://127.0.0.1:9'),
    JWT_PRIVATE_KEY: variable(real.JWT_PRIVATE_KEY!, '-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----'),
    JWT_PUBLIC_KEY: variable(real.JWT_PUBLIC_KEY!),
    LOG_LEVEL: variable('silent', 'loud'),
    AGENTIDP_API_URL: variable(NOWHERE),
    AGENTIDP_CLIENT_ID: variable('00000000-0000-4000-8000-000000000000'),
    AGENTIDP_CLIENT_SECRET: variable('sk_live_x')
  }).map((chosen) => {
    const env: Record<string, string> = { SENTRYAGENT_DATA_DIR: dataDir, AGENTIDP_API_URL: NOWHERE }
    for (const [name, value] of Object.entries(chosen)) if (value !== null) env[name] = value
    // The embedded database (no DATABASE_URL) is the CLI's own test's business; its start is too slow to fuzz.
    env.DATABASE_URL ??= 'postgres://127.0.0.1:9/none'
    return env
  })
  const exits = new Map<number, number>()
  const started = performance.now()
  const details = await fc.check(fc.asyncProperty(argvs, envs, async (argv, env) => {
    const output = captureOutput()
    let timer: NodeJS.Timeout | undefined
    const hang = new Promise<'hang'>((resolve) => { timer = setTimeout(() => { resolve('hang') }, RUN_LIMIT_MS) })
    const code = await Promise.race([run(argv, output, env), hang]).finally(() => { clearTimeout(timer) })
    const shown = `argv ${JSON.stringify(argv)}\nenv ${JSON.stringify({ ...env, JWT_PRIVATE_KEY: env.JWT_PRIVATE_KEY === undefined ? undefined : '…' })}\nstderr ${output.stderr().slice(0, 500)}`
    if (code === 'hang') throw new Error(`no exit within ${RUN_LIMIT_MS} ms\n${shown}`)
    exits.set(code, (exits.get(code) ?? 0) + 1)
    if (!DOCUMENTED.has(code)) throw new Error(`undocumented exit code ${code}\n${shown}`)
    if (STACK_FRAME.test(output.stderr()) || STACK_FRAME.test(output.stdout())) throw new Error(`a stack trace was printed\n${shown}`)
    if (code !== 0 && output.stderr().trim() === '') throw new Error(`exit ${code} without a word on stderr\n${shown}`)
    if (code !== 0 && argv.includes('--json') && !argv.includes('--') && !isJson(output.stderr())) throw new Error(`--json, yet the error is not JSON\n${shown}`)
  }), { seed: SEED, numRuns: RUNS, endOnFailure: process.env.FUZZ_SHRINK !== '1' })
  const figures = [...exits].sort(([a], [b]) => a - b).map(([code, count]) => `exit ${code}: ${count}`).join(', ')
  t.comment(`cli fuzz: seed ${SEED} (FUZZ_SEED), ${RUNS} runs (FUZZ_RUNS) in ${((performance.now() - started) / 1000).toFixed(1)} s; ${figures}`)
  t.notOk(details.failed, details.failed ? `${String(details.errorInstance)}\nreplay: FUZZ_SEED=${SEED}` : 'every run exited with a documented code and a message, no stack trace')
})

function isJson (text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

t.test('the binary itself: odd arguments end the process with a documented code and no stack trace', async (t) => {
  const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
  const samples = fc.sample(argvs, { seed: SEED, numRuns: 4 })
  for (const argv of [['\ud800'], ['--name', '\u0000'], ['org', 'create', '--tier'], ['--', '--help'], ...samples]) {
    const child = spawn(process.execPath, [bin, ...argv.map((arg) => arg.replaceAll('\u0000', ''))], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: 'postgres://127.0.0.1:9/none', AGENTIDP_API_URL: NOWHERE },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    child.stdout.resume()
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
    t.ok(code !== null && DOCUMENTED.has(code), `exit ${code} for ${JSON.stringify(argv).slice(0, 80)}`)
    t.notMatch(stderr, STACK_FRAME, 'no stack trace')
  }
})
