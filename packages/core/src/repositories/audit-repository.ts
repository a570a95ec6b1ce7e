import { createHash } from 'node:crypto'
import canonicalize from 'canonicalize'
import { hotQuery, withTransaction, type Database, type QueryText } from '../storage/database.js'
import type { AuditEvent, AuditQuery } from '../schemas/audit.js'

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

// One statement creates missing heads and locks them all (ON CONFLICT DO UPDATE takes the row lock).
const LOCK_HEADS = `INSERT INTO audit_chain_heads (organization_id, last_sequence, last_hash)
  SELECT id, 0, $2 FROM unnest($1::uuid[]) AS id ORDER BY id
  ON CONFLICT (organization_id) DO UPDATE SET last_sequence = audit_chain_heads.last_sequence
  RETURNING organization_id, last_sequence, last_hash`

const APPEND = `WITH appended AS (
    INSERT INTO audit_events (${COLUMNS})
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::uuid[], $5::text[], $6::text[], $7::jsonb[], $8::timestamptz[], $9::text[], $10::text[])
  )
  UPDATE audit_chain_heads h SET last_sequence = v.sequence, last_hash = v.hash
  FROM unnest($11::uuid[], $12::bigint[], $13::text[]) AS v (organization_id, sequence, hash)
  WHERE h.organization_id = v.organization_id`

export class AuditRepository {
  // The token endpoint appends a batch every few milliseconds: prepared once per connection.
  readonly #lockHeads: QueryText
  readonly #append: QueryText

  constructor (private readonly db: Database, preparedStatements = false) {
    this.#lockHeads = hotQuery(preparedStatements, 'sentryagent_audit_lock_heads', LOCK_HEADS)
    this.#append = hotQuery(preparedStatements, 'sentryagent_audit_append', APPEND)
  }

  /**
   * Appends events of any organizations in one transaction: each organization's chain head
   * is locked (in a fixed order, so concurrent writers cannot deadlock), extended, and saved.
   */
  async appendBatch (events: UnsealedAuditEvent[]): Promise<AuditEvent[]> {
    const organizationIds = [...new Set(events.map((event) => event.organizationId))].sort()
    return withTransaction(this.db, async (tx) => {
      const { rows: heads } = await tx.query<{ organization_id: string, last_sequence: string, last_hash: string }>(
        this.#lockHeads, [organizationIds, GENESIS_HASH])
      const chainHeads = new Map(heads.map((head) => [head.organization_id, { sequence: Number(head.last_sequence), hash: head.last_hash }]))
      const sealed = events.map((event) => {
        const head = chainHeads.get(event.organizationId)!
        const unhashed = { ...event, sequence: head.sequence + 1 }
        const sealedEvent = { ...unhashed, hash: hashAuditEvent(unhashed, head.hash), previousHash: head.hash }
        chainHeads.set(event.organizationId, { sequence: sealedEvent.sequence, hash: sealedEvent.hash })
        return sealedEvent
      })
      const updated = [...chainHeads.entries()]
      await tx.query(this.#append,
        [sealed.map((e) => e.eventId), sealed.map((e) => e.organizationId), sealed.map((e) => e.sequence), sealed.map((e) => e.agentId),
          sealed.map((e) => e.action), sealed.map((e) => e.outcome), sealed.map((e) => JSON.stringify(e.details)),
          sealed.map((e) => e.timestamp), sealed.map((e) => e.previousHash), sealed.map((e) => e.hash),
          updated.map(([id]) => id), updated.map(([, head]) => head.sequence), updated.map(([, head]) => head.hash)])
      return sealed.map(({ previousHash: _previous, ...event }) => event)
    })
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
    if (query.from !== undefined) add('occurred_at >= ?', query.from)
    if (query.to !== undefined) add('occurred_at < ?', query.to)
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
