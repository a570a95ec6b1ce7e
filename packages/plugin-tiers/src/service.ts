import type { Clock, Tier, TierDefinition, TierLimits } from '@sentryagent/core'
import type { Denial, RateLimitCheck, RateLimitStore } from './rate-limit-store.js'
import { TenantLeases } from './leases.js'
import { roundTrip } from './round-trip.js'
import { AgentLimitReachedError, TokenQuotaExceededError, withDetails } from './errors.js'
import { DAY_MS, formatWindow, secondsUntil, utcDayOf, windowOf } from './windows.js'

const MINUTE_MS = 60_000
const BURST_MS = 1000

/** The tier of a tenant; core's TierDirectory (memory → Redis → PostgreSQL). */
export interface TierLookup {
  definitionOf(organizationId: string): Promise<TierDefinition>
}

export interface RegisteredAgentCounter {
  countRegistered(organizationId: string): Promise<number>
}

/** A route's own limit (route `config.rateLimit: { max, timeWindow }`), counted apart from the tier's. */
export interface RouteLimit { route: string, max: number, windowMs: number }

/** Who a request counts against: a tenant (authenticated) or a client address. */
export type Caller = { organizationId: string } | { address: string }

export interface Policy {
  name: 'minute' | 'burst' | 'day' | 'route'
  limit: number
  windowMs: number
  /** The count before the batch. */
  counted: number
  resetSeconds: number
}

/**
 * The decision on a batch of requests of one caller: the first `admitted` pass, the rest are
 * refused by `refusedBy`. Each request's own counts follow from its position in the batch.
 */
export interface Decision {
  tier: Tier | null
  admitted: number
  /** The window first (the one the x-ratelimit headers describe), then every other policy applied. */
  policies: Policy[]
  /** The IETF `RateLimit-Policy` field: the same for every request of the batch. */
  policyField: string
  /** Set when some were refused: the policy that refused and how long to wait. */
  refusedBy?: Policy
  retryAfter?: number
}

export interface TenantUsage { agentCount: number, callsToday: number, tokensToday: number }

const tenantScope = (organizationId: string): string => `{t:${organizationId}}`
const callsKey = (scope: string, day: string): string => `quota:${scope}:calls:${day}`
const tokensKey = (scope: string, day: string): string => `quota:${scope}:tokens:${day}`

/**
 * Rate limits and daily quotas per tenant, every number read from the tenant's tier. Counter
 * keys never hold the tier: after an upgrade the next request meets the new limit with the
 * counts so far. Keys share a Redis hash tag per caller. Each round trip to the tier lookup or
 * the counters may take `roundTripMs` (from when it is sent) before it fails.
 */
export class TierLimitService {
  constructor (
    private readonly store: RateLimitStore,
    private readonly tiers: TierLookup,
    private readonly agents: RegisteredAgentCounter,
    private readonly clock: Clock,
    private readonly anonymousPerMinute: number,
    private readonly roundTripMs: number
  ) {
    this.#leases = new TenantLeases(store, roundTripMs)
  }

  // Nearly always answered from memory; a miss asks Redis, then PostgreSQL.
  async #definitionOf (organizationId: string): Promise<TierDefinition> {
    return roundTrip(this.tiers.definitionOf(organizationId), this.roundTripMs)
  }

  readonly #leases: TenantLeases

  /** Decides `requests` requests of one caller at once (one tier lookup, at most one store round trip). */
  async decide (caller: Caller, route: RouteLimit | undefined, requests = 1): Promise<Decision> {
    let tier: Tier | null = null
    let limits: Pick<TierLimits, 'rateLimitPerMinute' | 'rateLimitBurst' | 'apiCallsPerDay'>
    let scope: string
    if ('organizationId' in caller) {
      const definition = await this.#definitionOf(caller.organizationId)
      tier = definition.id
      limits = definition.limits
      scope = tenantScope(caller.organizationId)
    } else {
      limits = { rateLimitPerMinute: this.anonymousPerMinute, rateLimitBurst: this.anonymousPerMinute, apiCallsPerDay: null }
      scope = `{ip:${caller.address}}`
    }
    const windowMs = route?.windowMs ?? MINUTE_MS
    const windowLimit = route?.max ?? limits.rateLimitPerMinute
    const burstLimit = route === undefined && tier !== null ? limits.rateLimitBurst : null
    // Read when the check is made (a leased check may first wait for another one).
    let now = 0
    let window = { index: 0, endsAt: 0 }
    let burst = window
    let day = { day: '', endsAt: 0 }
    const terms = (): RateLimitCheck => {
      now = this.clock.now().getTime()
      window = windowOf(now, windowMs)
      burst = windowOf(now, BURST_MS)
      day = utcDayOf(now)
      return {
        windowKey: route === undefined ? `rl:${scope}:${windowMs}:${window.index}` : `rl:${scope}:${route.route}:${windowMs}:${window.index}`,
        windowLimit,
        windowMs,
        burstKey: `rl:${scope}:${BURST_MS}:${burst.index}`,
        burstLimit,
        burstMs: BURST_MS,
        dailyKey: callsKey(scope, day.day),
        dailyLimit: limits.apiCallsPerDay,
        dailyTtlMs: day.endsAt - now + DAY_MS
      }
    }
    // A tenant under its tier window (nearly every request) is leased; route limits and anonymous callers are not.
    const counts = 'organizationId' in caller && route === undefined
      ? await this.#leases.check(caller.organizationId, terms, requests)
      : await roundTrip(this.store.check(terms(), requests), this.roundTripMs)
    const policy = (name: Policy['name'], limit: number, counted: number, windowLength: number, endsAt: number): Policy =>
      ({ name, limit, windowMs: windowLength, counted, resetSeconds: secondsUntil(now, endsAt) })
    const primary = policy(route === undefined ? 'minute' : 'route', windowLimit, counts.window, windowMs, window.endsAt)
    const policies = [primary]
    const byDenial: Partial<Record<Denial, Policy>> = { window: primary }
    if (burstLimit !== null) policies.push(byDenial.burst = policy('burst', burstLimit, counts.burst, BURST_MS, burst.endsAt))
    if (limits.apiCallsPerDay !== null) policies.push(byDenial.daily = policy('day', limits.apiCallsPerDay, counts.daily, DAY_MS, day.endsAt))
    const policyField = policies.map((item) => `"${item.name}";q=${item.limit};w=${item.windowMs / 1000}`).join(', ')
    if (counts.denied === null) return { tier, admitted: counts.admitted, policies, policyField }
    const refusedBy = byDenial[counts.denied]!
    return { tier, admitted: counts.admitted, policies, policyField, refusedBy, retryAfter: refusedBy.resetSeconds }
  }

  /** Registration guard: refuses an agent past the tier's maximum. */
  async guardRegistration (organizationId: string, upgradeUrl: string): Promise<void> {
    const { id, limits: { registeredAgents } } = await this.tiers.definitionOf(organizationId)
    if (registeredAgents === null) return
    if (await this.agents.countRegistered(organizationId) >= registeredAgents) {
      throw withDetails(new AgentLimitReachedError(registeredAgents, id), { tier: id, limit: registeredAgents, upgradeUrl })
    }
  }

  /** Issuance guard: counts the token against the tier's daily quota, refusing it past the quota. */
  async guardIssuance (organizationId: string, upgradeUrl: string): Promise<void> {
    const { id, limits: { tokenIssuancesPerDay } } = await this.#definitionOf(organizationId)
    const now = this.clock.now().getTime()
    const day = utcDayOf(now)
    const { allowed } = await roundTrip(this.store.consume(tokensKey(tenantScope(organizationId), day.day), tokenIssuancesPerDay, day.endsAt - now + DAY_MS), this.roundTripMs)
    if (!allowed) {
      const retryAfter = secondsUntil(now, day.endsAt)
      throw withDetails(new TokenQuotaExceededError(tokenIssuancesPerDay!, id),
        { tier: id, limit: tokenIssuancesPerDay, window: formatWindow(DAY_MS), retryAfter, upgradeUrl })
    }
  }

  /**
   * Today's (UTC) usage against the tier's quotas. Units this instance leased and has not used
   * yet don't count; other instances' unused units do, until they hand them back.
   */
  async usage (organizationId: string): Promise<TenantUsage> {
    const scope = tenantScope(organizationId)
    const { day } = utcDayOf(this.clock.now().getTime())
    const dailyKey = callsKey(scope, day)
    const [[callsToday, tokensToday], agentCount] = await Promise.all([
      this.store.read([dailyKey, tokensKey(scope, day)]),
      this.agents.countRegistered(organizationId)
    ])
    return { agentCount, callsToday: callsToday! - this.#leases.spareOf(organizationId, dailyKey), tokensToday: tokensToday! }
  }
}
