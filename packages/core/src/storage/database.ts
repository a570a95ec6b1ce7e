import type { QueryResultRow } from 'pg'

/** A query by text, or pg's `{ name, text }` form that the backend parses and plans once per connection. */
export type QueryText = string | { name?: string, text: string }

/** What services need from PostgreSQL: a `pg.Pool` satisfies it, so do a PGlite-backed pool. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: QueryText, values?: unknown[]): Promise<{ rows: R[], rowCount: number | null }>
}

/**
 * A hot query as a named (prepared) statement: PostgreSQL skips parsing and planning it
 * after the first use on a connection. Off where every connection shares one backend
 * (PGlite behind a socket), since a reconnected client would prepare the name again.
 */
export function hotQuery (prepared: boolean, name: string, text: string): QueryText {
  return prepared ? { name, text } : text
}

export interface PoolClientLike extends Queryable {
  release(error?: Error | boolean): void
}

export interface Database extends Queryable {
  connect(): Promise<PoolClientLike>
}

/** Runs `work` in one transaction on one connection; rolls back on any error. */
export async function withTransaction<T> (db: Database, work: (tx: Queryable) => Promise<T>): Promise<T> {
  const client = await db.connect()
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}
