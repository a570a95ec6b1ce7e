import type { QueryResultRow } from 'pg'

/** What services need from PostgreSQL: a `pg.Pool` satisfies it, so do a PGlite-backed pool. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[], rowCount: number | null }>
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
