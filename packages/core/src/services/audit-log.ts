import { randomUUID } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { Registry } from 'prom-client'
import type { Clock } from '../clock.js'
import type { AuditEvent, AuditQuery, AuditVerification } from '../schemas/audit.js'
import { AuditRepository, GENESIS_HASH, hashAuditEvent, type ChainHead, type SealedBatch, type UnsealedAuditEvent } from '../repositories/audit-repository.js'
import { BatchWriter } from './batch-writer.js'
import { counter, histogram } from '../metrics.js'

export interface AuditEntry {
  organizationId: string
  agentId: string | null
  action: string
  outcome?: 'success' | 'failure'
  details?: Record<string, unknown>
}

/** Records what happened in a tenant as a per-organization hash chain. */
export interface AuditLog {
  record(entry: AuditEntry): Promise<AuditEvent>
  list(organizationId: string, query: AuditQuery): Promise<{ events: AuditEvent[], total: number }>
  verify(organizationId: string): Promise<AuditVerification>
  /** Deletes events older than `days` days; answers how many went. */
  purgeOlderThan(days: number): Promise<number>
  flush(): Promise<void>
}

// Organizations whose chain head is kept in memory; an evicted head is read again when needed.
const CACHED_HEADS = 10_000
// Another instance appending to the same organization makes a batch retry on the head it wrote.
const MAX_APPEND_ATTEMPTS = 50

export class ChainedAuditLog implements AuditLog {
  readonly #writer: BatchWriter<UnsealedAuditEvent, AuditEvent>
  // The writer owns these: one batch in flight at a time, so each batch links onto the last.
  readonly #heads = new LRUCache<string, ChainHead>({ max: CACHED_HEADS })
  readonly #appended
  readonly #batchDuration
  readonly #conflicts

  constructor (private readonly repository: AuditRepository, private readonly clock: Clock, registry: Registry) {
    this.#appended = counter(registry, 'audit_events_total', 'Audit events appended', ['action', 'outcome'])
    this.#batchDuration = histogram(registry, 'audit_batch_duration_seconds', 'Time to append one batch of audit events')
    this.#conflicts = counter(registry, 'audit_head_conflicts_total', 'Batches re-sealed because another instance moved a chain head')
    this.#writer = new BatchWriter(async (events) => {
      const stop = this.#batchDuration.startTimer()
      try {
        return await this.#appendBatch(events)
      } finally {
        stop()
      }
    })
  }

  /**
   * Seals the batch onto the heads this instance last wrote (one INSERT statement, no lock held
   * across round trips). Organizations whose head another instance moved meanwhile have their
   * heads read again and their events re-sealed, until they go in.
   */
  async #appendBatch (events: UnsealedAuditEvent[]): Promise<AuditEvent[]> {
    const sealed = new Map<UnsealedAuditEvent, AuditEvent>()
    let pending = events
    for (let attempt = 1; pending.length > 0; attempt++) {
      const organizationIds = [...new Set(pending.map((event) => event.organizationId))]
      if (attempt > MAX_APPEND_ATTEMPTS) throw new Error(`Audit chain heads kept moving under this instance: ${organizationIds.join(', ')}`)
      await this.#loadHeads(organizationIds)
      const batch = this.#seal(pending)
      let written: Set<string>
      try {
        written = await this.repository.append(batch)
      } catch (error) {
        // The outcome is unknown: read the heads again next time rather than trust ours.
        for (const id of organizationIds) this.#heads.delete(id)
        throw error
      }
      for (const head of batch.heads) {
        if (written.has(head.organizationId)) this.#heads.set(head.organizationId, head.next)
        else this.#heads.delete(head.organizationId)
      }
      if (written.size < organizationIds.length) this.#conflicts.inc()
      batch.events.forEach((event, index) => {
        if (written.has(event.organizationId)) {
          const { previousHash: _previous, ...stored } = event
          sealed.set(pending[index]!, stored)
        }
      })
      pending = pending.filter((event) => !written.has(event.organizationId))
    }
    return events.map((event) => sealed.get(event)!)
  }

  async #loadHeads (organizationIds: string[]): Promise<void> {
    const missing = organizationIds.filter((id) => !this.#heads.has(id))
    if (missing.length === 0) return
    for (const [id, head] of await this.repository.heads(missing)) this.#heads.set(id, head)
  }

  #seal (events: UnsealedAuditEvent[]): SealedBatch {
    const expected = new Map<string, ChainHead>()
    const next = new Map<string, ChainHead>()
    const sealed = events.map((event) => {
      const head = next.get(event.organizationId) ?? this.#heads.get(event.organizationId)!
      if (!expected.has(event.organizationId)) expected.set(event.organizationId, head)
      const unhashed = { ...event, sequence: head.sequence + 1 }
      const sealedEvent = { ...unhashed, hash: hashAuditEvent(unhashed, head.hash), previousHash: head.hash }
      next.set(event.organizationId, { sequence: sealedEvent.sequence, hash: sealedEvent.hash })
      return sealedEvent
    })
    return {
      events: sealed,
      heads: [...next].map(([organizationId, head]) => ({ organizationId, expected: expected.get(organizationId)!, next: head }))
    }
  }

  async record (entry: AuditEntry): Promise<AuditEvent> {
    const event = await this.#writer.add({
      eventId: randomUUID(),
      organizationId: entry.organizationId,
      agentId: entry.agentId,
      action: entry.action,
      outcome: entry.outcome ?? 'success',
      timestamp: this.clock.now().toISOString(),
      details: entry.details ?? {}
    })
    this.#appended.inc({ action: event.action, outcome: event.outcome })
    return event
  }

  async list (organizationId: string, query: AuditQuery): Promise<{ events: AuditEvent[], total: number }> {
    return this.repository.list(organizationId, query)
  }

  /**
   * Recomputes the chain from its oldest retained event. Retention removes the oldest
   * events, so the first kept event's previous hash is trusted as the anchor.
   */
  async verify (organizationId: string): Promise<AuditVerification> {
    let previousHash: string | undefined
    let expectedSequence: number | undefined
    let eventsChecked = 0
    for await (const event of this.repository.chain(organizationId)) {
      const { hash, previousHash: storedPrevious, ...unhashed } = event
      const linked = previousHash === undefined
        ? (event.sequence === 1 ? storedPrevious === GENESIS_HASH : true)
        : storedPrevious === previousHash && event.sequence === expectedSequence
      if (!linked || hashAuditEvent(unhashed, storedPrevious) !== hash) {
        return { valid: false, eventsChecked, firstInvalidEventId: event.eventId, headHash: null }
      }
      previousHash = hash
      expectedSequence = event.sequence + 1
      eventsChecked++
    }
    const head = await this.repository.head(organizationId)
    // A head beyond the last stored event means events were cut off the end of the chain.
    const headMatches = previousHash === undefined || head?.hash === previousHash
    return { valid: headMatches, eventsChecked, firstInvalidEventId: null, headHash: previousHash ?? null }
  }

  async purgeOlderThan (days: number): Promise<number> {
    return this.repository.deleteOlderThan(new Date(this.clock.now().getTime() - days * 86_400_000))
  }

  async flush (): Promise<void> {
    await this.#writer.idle()
  }
}
