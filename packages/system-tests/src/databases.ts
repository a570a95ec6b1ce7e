import { randomBytes } from 'node:crypto'
import pg from 'pg'

/**
 * A fresh PostgreSQL database beside the one `baseUrl` names (CREATE DATABASE on the same
 * server), so each scenario starts from an empty schema. `drop` removes it with its connections.
 */
export async function freshDatabase (baseUrl: string, scenario: string): Promise<{ url: string, drop: () => Promise<void> }> {
  const name = `system_${scenario}_${randomBytes(4).toString('hex')}`
  await administer(baseUrl, `CREATE DATABASE ${name}`)
  const url = new URL(baseUrl)
  url.pathname = `/${name}`
  return { url: url.toString(), drop: async () => { await administer(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) } }
}

async function administer (baseUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

/** Runs one query on `url` and answers its rows. */
export async function queryRows<T extends pg.QueryResultRow> (url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(text, values)).rows
  } finally {
    await client.end()
  }
}

/** The same Redis server, another logical database: scenarios don't see each other's keys or queues. */
export function redisDatabase (baseUrl: string, index: number): string {
  const url = new URL(baseUrl)
  url.pathname = `/${index}`
  return url.toString()
}
