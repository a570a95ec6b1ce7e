import type { Caller, Decision, RouteLimit } from './service.js'

/** Requests of one caller under one limit, asked for in the same event-loop turn. */
export class Batch {
  size = 0
  decision: Decision | undefined
  error: unknown
  #settled = false
  #waiters: Array<() => void> = []

  constructor (readonly caller: Caller, readonly route: RouteLimit | undefined) {}

  get organizationId (): string | null {
    return 'organizationId' in this.caller ? this.caller.organizationId : null
  }

  /** Runs `then` once the batch is decided (at once when it is). */
  whenSettled (then: () => void): void {
    if (this.#settled) then()
    else this.#waiters.push(then)
  }

  settle (decision: Decision | undefined, error: unknown): void {
    this.decision = decision
    this.error = error
    this.#settled = true
    const waiters = this.#waiters
    this.#waiters = []
    for (const then of waiters) then()
  }
}

/** A request's place in its batch: the first `admitted` positions pass. */
export interface Ticket { batch: Batch, position: number }

/**
 * Gathers the decisions asked for in one event-loop turn by caller and limit, so that each
 * group costs one decision (one tier lookup, one store round trip, a deadline on each) however many
 * requests it holds. Per request this is a map lookup: no promise, no timer.
 */
export class DecisionBatches {
  // The common case (a tenant under its tier window) keyed without building a string.
  #tenants = new Map<string, Batch>()
  #others = new Map<string, Batch>()
  #scheduled = false

  constructor (private readonly decide: (batch: Batch) => Promise<Decision>) {}

  join (caller: Caller, route: RouteLimit | undefined): Ticket {
    let batches = this.#tenants
    let key: string
    if ('organizationId' in caller) {
      key = caller.organizationId
      if (route !== undefined) {
        batches = this.#others
        key = `t ${key} ${route.route}`
      }
    } else {
      batches = this.#others
      key = `a ${caller.address} ${route?.route ?? ''}`
    }
    let batch = batches.get(key)
    if (batch === undefined) {
      batch = new Batch(caller, route)
      batches.set(key, batch)
      if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(this.#flush)
      }
    }
    return { batch, position: batch.size++ }
  }

  readonly #flush = (): void => {
    const pending = [this.#tenants, this.#others]
    this.#tenants = new Map()
    this.#others = new Map()
    this.#scheduled = false
    for (const batches of pending) for (const batch of batches.values()) void this.#run(batch)
  }

  async #run (batch: Batch): Promise<void> {
    let decision: Decision
    try {
      decision = await this.decide(batch)
    } catch (error) {
      batch.settle(undefined, error)
      return
    }
    batch.settle(decision, undefined)
  }
}
