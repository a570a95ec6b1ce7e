import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Database, PoolClientLike } from '../storage/database.js'
import { InvalidOptionError, MigrationChecksumError } from '../errors.js'

export interface Migration {
  version: number
  name: string
  sql: string
  checksum: string
}

export interface MigrationResult {
  applied: string[]
  alreadyApplied: number
}

const FILE_PATTERN = /^(\d{3})_([a-z0-9_]+)\.sql$/
// Arbitrary constant shared by every instance so that only one applies migrations at a time.
const ADVISORY_LOCK_KEY = 0x5e47a9e7

/** Reads the numbered SQL files of every folder and orders them globally by number. */
export async function loadMigrations (directories: string[]): Promise<Migration[]> {
  const migrations: Migration[] = []
  for (const directory of directories) {
    for (const file of (await readdir(directory)).sort()) {
      const match = FILE_PATTERN.exec(file)
      if (match === null) continue
      const sql = (await readFile(join(directory, file), 'utf8')).replace(/\r\n/g, '\n')
      migrations.push({
        version: Number(match[1]),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex')
      })
    }
  }
  migrations.sort((a, b) => a.version - b.version)
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw new InvalidOptionError(`two migrations are numbered ${migrations[i]!.version}`)
    }
  }
  return migrations
}

/**
 * Applies pending migrations, each in its own transaction, under a session advisory lock
 * so that instances starting together apply each migration exactly once. Refuses to run
 * when an applied migration's file has changed since.
 */
export async function runMigrations (db: Database, migrations: Migration[]): Promise<MigrationResult> {
  const client = await db.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY])
    try {
      return await applyPending(client, migrations)
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY])
    }
  } finally {
    client.release()
  }
}

async function applyPending (client: PoolClientLike, migrations: Migration[]): Promise<MigrationResult> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`)
  const { rows } = await client.query<{ version: number, checksum: string }>('SELECT version, checksum FROM schema_migrations')
  const appliedChecksums = new Map(rows.map((row) => [row.version, row.checksum]))
  const applied: string[] = []
  for (const migration of migrations) {
    const checksum = appliedChecksums.get(migration.version)
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) throw new MigrationChecksumError(migration.name)
      continue
    }
    await client.query('BEGIN')
    try {
      await client.query(migration.sql)
      await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
        [migration.version, migration.name, migration.checksum])
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK')
      throw error
    }
    applied.push(migration.name)
  }
  return { applied, alreadyApplied: appliedChecksums.size }
}

/** The folder holding this package's own migrations. */
export const coreMigrationsDirectory = fileURLToPath(new URL('../../migrations', import.meta.url))
