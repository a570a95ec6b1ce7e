import t from 'tap'
import pg from 'pg'
import { run } from '../src/run.js'
import { captureOutput, productionEnv, scratchDatabase } from './helpers.js'

async function appliedMigrations (databaseUrl: string): Promise<Array<{ version: number, applied_at: Date }>> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    return (await client.query<{ version: number, applied_at: Date }>('SELECT version, applied_at FROM schema_migrations ORDER BY version')).rows
  } finally {
    await client.end()
  }
}

t.test('migrate brings an empty database up to date, and running it again changes nothing', async (t) => {
  const env = productionEnv({ DATABASE_URL: await scratchDatabase(t) })

  const first = captureOutput()
  t.equal(await run(['migrate'], first, env), 0, first.stderr())
  t.match(first.stdout(), /^Database schema is up to date: \d{3}_\w+$/)
  const applied = await appliedMigrations(env.DATABASE_URL!)
  t.same(applied.slice(0, 7).map((row) => row.version), [1, 2, 3, 4, 5, 6, 7], 'the core migrations, in order')
  t.ok(applied.some((row) => row.version === 9), 'and the enabled workstreams\' (analytics: 009)')

  const second = captureOutput()
  t.equal(await run(['migrate'], second, env), 0, second.stderr())
  t.equal(second.stdout(), first.stdout())
  t.same(await appliedMigrations(env.DATABASE_URL!), applied, 'nothing re-applied')
})

t.test('migrate against an unreachable database fails with exit 1, promptly', async (t) => {
  const output = captureOutput()
  const started = Date.now()
  t.equal(await run(['migrate'], output, productionEnv({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' })), 1)
  t.match(output.stderr(), /^Error: /)
  t.ok(Date.now() - started < 10_000, 'no long hang')
})
