import { createHash } from 'node:crypto'
import canonicalize from 'canonicalize'
import { hotQuery, type Queryable, type QueryText } from '../storage/database.js'
import type { AuditEvent, AuditQuery } from '../schemas/audit.js'
import { requestInstant } from '../instants.js'

export const GENESIS_HASH = '0'.repeat(64)

export type UnsealedAuditEvent = Omit<AuditEvent, 'sequence' | 'hash'>

interface AuditRow {
  event_id: string
  organization_id: string
  sequence: string
  agent_id: string | null
  action: string
  outcome: AuditEvent['outcome']
  details: Record<string, unknown>
  occurred_at: Date
  previous_hash: string
  hash: string
}

/** SHA-256 over the previous hash and the RFC 8785 canonical form of the event. */
export function hashAuditEvent (event: Omit<AuditEvent, 'hash'>, previousHash: string): string {
  const { eventId, organizationId, sequence, agentId, action, outcome, timestamp, details } = event
  return createHash('sha256')
    .update(previousHash)
    .update(canonicalize({ eventId, organizationId, sequence, agentId, action, outcome, timestamp, details }) ?? '')
    .digest('hex')
}

function toEvent (row: AuditRow): AuditEvent & { previousHash: string } {
  return {
    eventId: row.event_id,
    organizationId: row.organization_id,
    sequence: Number(row.sequence),
    agentId: row.agent_id,
    action: row.action,
    outcome: row.outcome,
    timestamp: row.occurred_at.toISOString(),
    details: row.details,
    hash: row.hash,
    previousHash: row.previous_hash
  }
}

const COLUMNS = 'event_id, organization_id, sequence, agent_id, action, outcome, details, occurred_at, previous_hash, hash'

/** Where an organization's chain ends: the sequence and hash the next event links to. */
export interface ChainHead { sequence: number, hash: string }

/** A batch's events, sealed onto the heads they expect, and each organization's head before and after. */
export interface SealedBatch {
  events: Array<AuditEvent & { previousHash: string }>
  heads: Array<{ organizationId: string, expected: ChainHead, next: ChainHead }>
}

const READ_HEADS = 'SELECT organization_id, last_sequence, last_hash FROM audit_chain_heads WHERE organization_id = ANY($1::uuid[])'

// One statement, so no transaction is held open across round trips: each organization's head
// moves only if it still is where the batch expects it (a missing head counts as sequence 0),
// and only the events of the organizations whose head moved are inserted. Another instance
// that appended in between makes its organization's move (and events) a no-op, reported back.
const APPEND = `WITH v AS (
    SELECT * FROM unnest($11::uuid[], $12::bigint[], $13::text[], $14::bigint[], $15::text[])
      AS v (organization_id, expected_sequence, expected_hash, sequence, hash)
  ), started AS (
    INSERT INTO audit_chain_heads (organization_id, last_sequence, last_hash)
    SELECT organization_id, sequence, hash FROM v WHERE expected_sequence = 0
    ON CONFLICT (organization_id) DO UPDATE SET last_sequence = EXCLUDED.last_sequence, last_hash = EXCLUDED.last_hash
    WHERE audit_chain_heads.last_sequence = 0
    RETURNING organization_id
  ), extended AS (
    UPDATE audit_chain_heads h SET last_sequence = v.sequence, last_hash = v.hash FROM v
    WHERE v.expected_sequence > 0 AND h.organization_id = v.organization_id
      AND h.last_sequence = v.expected_sequence AND h.last_hash = v.expected_hash
    RETURNING h.organization_id
  ), moved AS (
    SELECT organization_id FROM started UNION ALL SELECT organization_id FROM extended
  ), appended AS (
    INSERT INTO audit_events (${COLUMNS})
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::uuid[], $5::text[], $6::text[], $7::jsonb[], $8::timestamptz[], $9::text[], $10::text[])
      AS e (${COLUMNS})
    WHERE e.organization_id IN (SELECT organization_id FROM moved)
  )
  SELECT organization_id FROM moved`

export class AuditRepository {
  // The token endpoint appends a batch every few milliseconds: prepared once per connection.
  readonly #append: QueryText

  constructor (private readonly db: Queryable, preparedStatements = false) {
    this.#append = hotQuery(preparedStatements, 'sentryagent_audit_append_checked', APPEND)
  }

  /** The stored heads of these organizations; an organization without events starts at the genesis hash. */
  async heads (organizationIds: string[]): Promise<Map<string, ChainHead>> {
    const { rows } = await this.db.query<{ organization_id: string, last_sequence: string, last_hash: string }>(READ_HEADS, [organizationIds])
    const heads = new Map(organizationIds.map((id) => [id, { sequence: 0, hash: GENESIS_HASH }]))
    for (const row of rows) heads.set(row.organization_id, { sequence: Number(row.last_sequence), hash: row.last_hash })
    return heads
  }

  /** Writes a sealed batch in one statement; answers the organizations whose events went in (the others' heads had moved). */
  async append (batch: SealedBatch): Promise<Set<string>> {
    const { events: e, heads } = batch
    const { rows } = await this.db.query<{ organization_id: string }>(this.#append,
      [e.map((x) => x.eventId), e.map((x) => x.organizationId), e.map((x) => x.sequence), e.map((x) => x.agentId),
        e.map((x) => x.action), e.map((x) => x.outcome), e.map((x) => JSON.stringify(x.details)),
        e.map((x) => x.timestamp), e.map((x) => x.previousHash), e.map((x) => x.hash),
        heads.map((h) => h.organizationId), heads.map((h) => h.expected.sequence), heads.map((h) => h.expected.hash),
        heads.map((h) => h.next.sequence), heads.map((h) => h.next.hash)])
    return new Set(rows.map((row) => row.organization_id))
  }

  async list (organizationId: string, query: AuditQuery): Promise<{ events: AuditEvent[], total: number }> {
    const filters = ['organization_id = $1']
    const values: unknown[] = [organizationId]
    const add = (clause: string, value: unknown): void => {
      values.push(value)
      filters.push(clause.replace('?', `$${values.length}`))
    }
    if (query.action !== undefined) add('action = ?', query.action)
    if (query.agentId !== undefined) add('agent_id = ?', query.agentId)
    if (query.outcome !== undefined) add('outcome = ?', query.outcome)
    if (query.from !== undefined) add('occurred_at >= ?', requestInstant('from', query.from).toISOString())
    if (query.to !== undefined) add('occurred_at < ?', requestInstant('to', query.to).toISOString())
    const where = filters.join(' AND ')
    const [{ rows }, { rows: counted }] = await Promise.all([
      this.db.query<AuditRow>(`SELECT ${COLUMNS} FROM audit_events WHERE ${where}
        ORDER BY sequence DESC LIMIT ${query.limit} OFFSET ${(query.page - 1) * query.limit}`, values),
      this.db.query<{ total: string }>(`SELECT count(*) AS total FROM audit_events WHERE ${where}`, values)
    ])
    return { events: rows.map((row) => { const { previousHash: _p, ...event } = toEvent(row); return event }), total: Number(counted[0]!.total) }
  }

  /** Streams an organization's chain in order, a page at a time. */
  async * chain (organizationId: string, pageSize = 1000): AsyncGenerator<AuditEvent & { previousHash: string }> {
    let after = 0
    for (;;) {
      const { rows } = await this.db.query<AuditRow>(
        `SELECT ${COLUMNS} FROM audit_events WHERE organization_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3`,
        [organizationId, after, pageSize])
      for (const row of rows) yield toEvent(row)
      if (rows.length < pageSize) return
      after = Number(rows[rows.length - 1]!.sequence)
    }
  }

  async head (organizationId: string): Promise<{ sequence: number, hash: string } | undefined> {
    const { rows } = await this.db.query<{ last_sequence: string, last_hash: string }>(
      'SELECT last_sequence, last_hash FROM audit_chain_heads WHERE organization_id = $1', [organizationId])
    return rows[0] === undefined ? undefined : { sequence: Number(rows[0].last_sequence), hash: rows[0].last_hash }
  }

  /** Drops events older than the cutoff; the oldest kept event's previous hash anchors verification. */
  async deleteOlderThan (cutoff: Date): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM audit_events WHERE occurred_at < $1', [cutoff])
    return rowCount ?? 0
  }
}
