import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { coreMigrationsDirectory, loadMigrations, runMigrations } from '../src/index.js'
import { buildApp, createPool, scratchDatabase } from './helpers.js'

async function freshPool (t: Test) {
  const database = await scratchDatabase()
  const pool = createPool(database.url)
  t.teardown(async () => { await pool.end(); await database.drop() })
  return { pool, url: database.url }
}

async function migrationsFolder (t: Test, files: Record<string, string>): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'sentryagent-migrations-'))
  t.teardown(() => rm(directory, { recursive: true, force: true }))
  for (const [name, sql] of Object.entries(files)) await writeFile(join(directory, name), sql)
  return directory
}

t.test('the core migrations apply once; running them again is a no-op', async (t) => {
  const { pool } = await freshPool(t)
  const migrations = await loadMigrations([coreMigrationsDirectory])
  t.same(migrations.map((m) => m.version), [1, 2, 3, 4, 5, 6, 7, 11, 13])

  const first = await runMigrations(pool, migrations)
  t.same(first, { applied: migrations.map((m) => m.name), alreadyApplied: 0 })
  const second = await runMigrations(pool, migrations)
  t.same(second, { applied: [], alreadyApplied: 9 })
  const { rows } = await pool.query<{ version: number, checksum: string }>('SELECT version, checksum FROM schema_migrations ORDER BY version')
  t.same(rows, migrations.map((m) => ({ version: m.version, checksum: m.checksum })))
})

t.test('two instances migrating one database at once apply each migration once', async (t) => {
  const { pool, url } = await freshPool(t)
  const other = createPool(url)
  t.teardown(() => other.end())
  const migrations = await loadMigrations([coreMigrationsDirectory])

  const results = await Promise.all([runMigrations(pool, migrations), runMigrations(other, migrations), runMigrations(pool, migrations)])
  t.same(results.flatMap((r) => r.applied).sort(), migrations.map((m) => m.name).sort(), 'every migration applied by exactly one runner')
  const { rows } = await pool.query('SELECT count(*)::int AS applied FROM schema_migrations')
  t.equal(rows[0].applied, 9)
})

t.test('a migration changed after it was applied is refused', async (t) => {
  const { pool } = await freshPool(t)
  const directory = await migrationsFolder(t, { '001_create_things.sql': 'CREATE TABLE things (id int);' })
  await runMigrations(pool, await loadMigrations([directory]))

  await writeFile(join(directory, '001_create_things.sql'), 'CREATE TABLE things (id bigint);')
  await t.rejects(runMigrations(pool, await loadMigrations([directory])), { code: 'SENTRYAGENT_CORE_MIGRATION_CHECKSUM' })
  await writeFile(join(directory, '001_create_things.sql'), 'CREATE TABLE things (id int);')
  t.same(await runMigrations(pool, await loadMigrations([directory])), { applied: [], alreadyApplied: 1 }, 'the original file is accepted again; the lock was released')
})

t.test('line endings do not change a checksum', async (t) => {
  const unix = await migrationsFolder(t, { '001_a.sql': 'SELECT 1;\nSELECT 2;\n' })
  const windows = await migrationsFolder(t, { '001_a.sql': 'SELECT 1;\r\nSELECT 2;\r\n' })
  const [[a], [b]] = [await loadMigrations([unix]), await loadMigrations([windows])]
  t.equal(a!.checksum, b!.checksum)
})

t.test('migrations of several folders run in one global order; other files are ignored', async (t) => {
  const { pool } = await freshPool(t)
  const core = await migrationsFolder(t, { '001_create_a.sql': 'CREATE TABLE a (id int);', '003_create_c.sql': 'CREATE TABLE c (a_id int);', 'README.md': '# notes', '4_bad_name.sql': 'nonsense' })
  const plugin = await migrationsFolder(t, { '002_create_b.sql': 'CREATE TABLE b (id int);' })

  const migrations = await loadMigrations([core, plugin])
  t.same(migrations.map((m) => m.name), ['001_create_a', '002_create_b', '003_create_c'])
  t.same((await runMigrations(pool, migrations)).applied, ['001_create_a', '002_create_b', '003_create_c'])
})

t.test('two migrations with one number, across folders, are refused', async (t) => {
  const first = await migrationsFolder(t, { '008_add_delegations.sql': 'SELECT 1;' })
  const second = await migrationsFolder(t, { '008_add_analytics.sql': 'SELECT 2;' })
  await t.rejects(loadMigrations([first, second]), { code: 'SENTRYAGENT_CORE_INVALID_OPTION' })
})

t.test('a failing migration is rolled back and not recorded; earlier ones stay', async (t) => {
  const { pool } = await freshPool(t)
  const directory = await migrationsFolder(t, {
    '001_create_a.sql': 'CREATE TABLE a (id int);',
    '002_broken.sql': 'CREATE TABLE b (id int); INSERT INTO missing_table VALUES (1);'
  })

  await t.rejects(runMigrations(pool, await loadMigrations([directory])), { code: '42P01' })
  const { rows } = await pool.query<{ version: number }>('SELECT version FROM schema_migrations')
  t.same(rows.map((r) => r.version), [1])
  const { rows: tables } = await pool.query<{ b: string | null }>("SELECT to_regclass('b')::text AS b")
  t.equal(tables[0]!.b, null, 'the half-applied migration left nothing behind')

  await writeFile(join(directory, '002_broken.sql'), 'CREATE TABLE b (id int);')
  t.same((await runMigrations(pool, await loadMigrations([directory]))).applied, ['002_broken'], 'fixed, it applies')
})

t.test('the plugin migrates at registration unless told not to', async (t) => {
  const { pool, url } = await freshPool(t)

  await t.rejects(buildApp({ migrate: false }, { databaseUrl: url }), { code: '42P01' }, 'without its tables the plugin cannot start')
  const app = await buildApp({}, { databaseUrl: url })
  t.teardown(() => app.close())
  const { rows } = await pool.query('SELECT count(*)::int AS applied FROM schema_migrations')
  t.equal(rows[0].applied, 9)
})
