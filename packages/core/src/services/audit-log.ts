import { randomUUID } from 'node:crypto'
import type { Registry } from 'prom-client'
import type { Clock } from '../clock.js'
import type { AuditEvent, AuditQuery, AuditVerification } from '../schemas/audit.js'
import { AuditRepository, GENESIS_HASH, hashAuditEvent, type UnsealedAuditEvent } from '../repositories/audit-repository.js'
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

// Batches in flight at once. Each locks its organizations' chain heads (in sorted order, so
// no deadlock): one organization's batches still commit one after another, but the next
// batch is gathered and sent while the previous one commits instead of after it.
const CONCURRENT_BATCHES = 4

export class ChainedAuditLog implements AuditLog {
  readonly #writer: BatchWriter<UnsealedAuditEvent, AuditEvent>
  readonly #appended
  readonly #batchDuration

  constructor (private readonly repository: AuditRepository, private readonly clock: Clock, registry: Registry) {
    this.#appended = counter(registry, 'audit_events_total', 'Audit events appended', ['action', 'outcome'])
    this.#batchDuration = histogram(registry, 'audit_batch_duration_seconds', 'Time to append one batch of audit events')
    this.#writer = new BatchWriter(async (events) => {
      const stop = this.#batchDuration.startTimer()
      try {
        return await this.repository.appendBatch(events)
      } finally {
        stop()
      }
    }, CONCURRENT_BATCHES)
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
