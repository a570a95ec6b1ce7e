import type { Clock, Tier, TierDefinition, TierLimits } from '@sentryagent/core'
import type { Denial, RateLimitStore } from './rate-limit-store.js'
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
  remaining: number
  resetSeconds: number
}

export interface Decision {
  allowed: boolean
  tier: Tier | null
  /** The policy the headers describe (the window); `policies` lists every one applied. */
  primary: Policy
  policies: Policy[]
  /** Set when refused: the policy that refused and how long to wait. */
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
 * counts so far. Keys share a Redis hash tag per caller.
 */
export class TierLimitService {
  constructor (
    private readonly store: RateLimitStore,
    private readonly tiers: TierLookup,
    private readonly agents: RegisteredAgentCounter,
    private readonly clock: Clock,
    private readonly anonymousPerMinute: number
  ) {}

  async decide (caller: Caller, route?: RouteLimit): Promise<Decision> {
    const now = this.clock.now().getTime()
    let tier: Tier | null = null
    let limits: Pick<TierLimits, 'rateLimitPerMinute' | 'rateLimitBurst' | 'apiCallsPerDay'>
    let scope: string
    if ('organizationId' in caller) {
      const definition = await this.tiers.definitionOf(caller.organizationId)
      tier = definition.id
      limits = definition.limits
      scope = tenantScope(caller.organizationId)
    } else {
      limits = { rateLimitPerMinute: this.anonymousPerMinute, rateLimitBurst: this.anonymousPerMinute, apiCallsPerDay: null }
      scope = `{ip:${caller.address}}`
    }
    const windowMs = route?.windowMs ?? MINUTE_MS
    const windowLimit = route?.max ?? limits.rateLimitPerMinute
    const window = windowOf(now, windowMs)
    const burst = windowOf(now, BURST_MS)
    const day = utcDayOf(now)
    const burstLimit = route === undefined && tier !== null ? limits.rateLimitBurst : null
    const counts = await this.store.check({
      windowKey: route === undefined ? `rl:${scope}:${windowMs}:${window.index}` : `rl:${scope}:${route.route}:${windowMs}:${window.index}`,
      windowLimit,
      windowMs,
      burstKey: `rl:${scope}:${BURST_MS}:${burst.index}`,
      burstLimit,
      burstMs: BURST_MS,
      dailyKey: callsKey(scope, day.day),
      dailyLimit: limits.apiCallsPerDay,
      dailyTtlMs: day.endsAt - now + DAY_MS
    })
    const policy = (name: Policy['name'], limit: number, count: number, windowLength: number, endsAt: number): Policy =>
      ({ name, limit, windowMs: windowLength, remaining: Math.max(0, limit - count), resetSeconds: secondsUntil(now, endsAt) })
    const primary = policy(route === undefined ? 'minute' : 'route', windowLimit, counts.window, windowMs, window.endsAt)
    const policies = [primary]
    const byDenial: Partial<Record<Denial, Policy>> = { window: primary }
    if (burstLimit !== null) policies.push(byDenial.burst = policy('burst', burstLimit, counts.burst, BURST_MS, burst.endsAt))
    if (limits.apiCallsPerDay !== null) policies.push(byDenial.daily = policy('day', limits.apiCallsPerDay, counts.daily, DAY_MS, day.endsAt))
    if (counts.denied === null) return { allowed: true, tier, primary, policies }
    const refusedBy = byDenial[counts.denied]!
    return { allowed: false, tier, primary, policies, refusedBy, retryAfter: refusedBy.resetSeconds }
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
    const { id, limits: { tokenIssuancesPerDay } } = await this.tiers.definitionOf(organizationId)
    const now = this.clock.now().getTime()
    const day = utcDayOf(now)
    const { allowed } = await this.store.consume(tokensKey(tenantScope(organizationId), day.day), tokenIssuancesPerDay, day.endsAt - now + DAY_MS)
    if (!allowed) {
      const retryAfter = secondsUntil(now, day.endsAt)
      throw withDetails(new TokenQuotaExceededError(tokenIssuancesPerDay!, id),
        { tier: id, limit: tokenIssuancesPerDay, window: formatWindow(DAY_MS), retryAfter, upgradeUrl })
    }
  }

  /** Today's (UTC) usage against the tier's quotas. */
  async usage (organizationId: string): Promise<TenantUsage> {
    const scope = tenantScope(organizationId)
    const { day } = utcDayOf(this.clock.now().getTime())
    const [[callsToday, tokensToday], agentCount] = await Promise.all([
      this.store.read([callsKey(scope, day), tokensKey(scope, day)]),
      this.agents.countRegistered(organizationId)
    ])
    return { agentCount, callsToday: callsToday!, tokensToday: tokensToday! }
  }
}
