import type { RateLimitCheck, RateLimitCounts, RateLimitStore } from './rate-limit-store.js'
import { roundTrip } from './round-trip.js'

/** Units reserved in the shared counters for this instance under one set of keys and limits. */
interface Lease {
  check: RateLimitCheck
  /** The counts before the reservation, and the units of it used since (admitted requests). */
  window: number
  burst: number
  daily: number
  used: number
  spare: number
}

const MAX_TENANTS = 10_000

const sameTerms = (a: RateLimitCheck, b: RateLimitCheck): boolean =>
  a.windowKey === b.windowKey && a.burstKey === b.burstKey && a.dailyKey === b.dailyKey &&
  a.windowLimit === b.windowLimit && a.burstLimit === b.burstLimit && a.dailyLimit === b.dailyLimit

/**
 * Allowance leases on a tenant's tier window: with each check an instance may reserve spare
 * units (as many as it used under its previous lease, at most half of what is left) and admit
 * later batches from them without a round trip, until the keys (a new second, minute or day)
 * or the limits (a tier change) differ. Every admitted request was counted in the shared
 * counters first, so instances together never admit more than the limit; spare units unused
 * are handed back with the next check. The price is under-admission: while one instance holds
 * spare units the others can't have them, at most half of what was left when it took them.
 * Checks of one tenant run one at a time here, so that a batch always sees the latest lease.
 * A check waiting for the one in flight is decided by its outcome: when that one failed (the
 * counters are away) so does the waiting one, with no deadline of its own; each round trip has
 * `roundTripMs` from the moment it is sent.
 */
export class TenantLeases {
  readonly #leases = new Map<string, Lease>()
  readonly #inFlight = new Map<string, Promise<unknown>>()

  constructor (private readonly store: RateLimitStore, private readonly roundTripMs: number) {}

  async check (organizationId: string, terms: () => RateLimitCheck, requests: number): Promise<RateLimitCounts> {
    for (let pending = this.#inFlight.get(organizationId); pending !== undefined; pending = this.#inFlight.get(organizationId)) {
      await pending
    }
    // The keys are read after the wait: the clock may have moved on meanwhile.
    const check = terms()
    const lease = this.#leases.get(organizationId)
    if (lease !== undefined && lease.spare >= requests && sameTerms(lease.check, check)) {
      const counts: RateLimitCounts = { admitted: requests, denied: null, window: lease.window + lease.used, burst: lease.burst + lease.used, daily: lease.daily + lease.used, spare: 0 }
      lease.used += requests
      lease.spare -= requests
      return counts
    }
    const call = roundTrip(this.store.check(check, requests, {
      spare: lease?.used ?? 0,
      ...(lease === undefined || lease.spare === 0
        ? {}
        : { refund: { windowKey: lease.check.windowKey, burstKey: lease.check.burstLimit === null ? null : lease.check.burstKey, dailyKey: lease.check.dailyKey, units: lease.spare } })
    }), this.roundTripMs)
    this.#inFlight.set(organizationId, call)
    try {
      const counts = await call
      this.#leases.delete(organizationId) // re-inserted last: the oldest leases go first
      if (this.#leases.size >= MAX_TENANTS) this.#leases.delete(this.#leases.keys().next().value!)
      this.#leases.set(organizationId, { check, window: counts.window, burst: counts.burst, daily: counts.daily, used: counts.admitted, spare: counts.spare })
      return counts
    } catch (error) {
      // The script may have run (and taken the refund) before the connection failed: handing the
      // units back again could admit more than the limit, so forget them instead.
      if (lease !== undefined) lease.spare = 0
      throw error
    } finally {
      this.#inFlight.delete(organizationId)
    }
  }

  /** Units of `dailyKey` this instance reserved and has not used (counted, not yet spent). */
  spareOf (organizationId: string, dailyKey: string): number {
    const lease = this.#leases.get(organizationId)
    return lease !== undefined && lease.check.dailyKey === dailyKey ? lease.spare : 0
  }
}
