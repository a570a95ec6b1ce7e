import t from 'tap'
import { HELP, run } from '../src/run.js'
import { captureOutput } from './helpers.js'

t.test('--help, -h, help and no command print the usage and exit 0', async (t) => {
  for (const argv of [['--help'], ['-h'], ['help'], [], ['org', 'create', '--help']]) {
    const output = captureOutput()
    t.equal(await run(argv, output, {}), 0, argv.join(' ') || '(none)')
    t.equal(output.stdout(), HELP)
    t.equal(output.stderr(), '')
  }
  t.match(HELP, 'org create --name <name>')
  t.match(HELP, 'migrate')
})

t.test('--version and -v print the version given by the bin', async (t) => {
  for (const flag of ['--version', '-v']) {
    const output = captureOutput()
    t.equal(await run([flag], output, {}, '1.2.3'), 0)
    t.equal(output.stdout(), '1.2.3')
  }
})

t.test('an unknown command or option is a usage error: exit 2, and a pointer to --help', async (t) => {
  for (const argv of [['frobnicate'], ['org'], ['org', 'delete'], ['migrate', '--force'], ['org', 'create', '--name']]) {
    const output = captureOutput()
    t.equal(await run(argv, output, {}), 2, argv.join(' '))
    t.equal(output.stdout(), '', 'nothing on stdout')
    t.match(output.stderr(), 'sentryagent --help')
  }
})

t.test('a bad environment is reported before any work: exit 1', async (t) => {
  const output = captureOutput()
  t.equal(await run(['migrate'], output, { DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' }), 1)
  t.match(output.stderr(), 'DATABASE_URL must be')
  t.match(output.stderr(), 'LOG_LEVEL must be')
})

t.test('with --json, a command line that does not parse is a usage error in JSON too (found by the fuzzer)', async (t) => {
  const output = captureOutput()
  t.equal(await run(['analytics', 'aggregate', '--unknown', '--json'], output, {}), 2)
  t.match(JSON.parse(output.stderr()), { error: { code: 'USAGE', exitCode: 2 } })
})
