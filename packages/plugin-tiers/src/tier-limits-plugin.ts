import type { FastifyBaseLogger, FastifyPluginAsync, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import { counter, histogram, TokenCache, type SentryAgentCore } from '@sentryagent/core'
import { resolveOptions, type ResolvedTierLimitsOptions, type TierLimitsOptions } from './options.js'
import { RedisRateLimitStore } from './redis-rate-limit-store.js'
import { MemoryRateLimitStore } from './memory-rate-limit-store.js'
import { AgentCountRepository } from './repository.js'
import { TierLimitService, type Decision } from './service.js'
import { DecisionBatches, type Ticket } from './decision-batches.js'
import { declaresNoLimit, routeLimitOf } from './route-limits.js'
import { setRateLimitHeaders } from './rate-limit-headers.js'
import { formatWindow } from './windows.js'
import { LimitsUnavailableError, TokenQuotaExceededError } from './errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Rate limits and quotas per tenant tier; set once the app is ready. */
    tierLimits: TierLimitService
  }
}

const UNAVAILABLE_RETRY_AFTER_SECONDS = 5
const WARN_EVERY_MS = 10_000

/**
 * The tier rate limiter and quotas. Register it before the routes it guards (a hook reaches
 * only routes registered after it) and before or after `@sentryagent/core`: core's services
 * are read once the app is ready. It runs after the auth hook, keyed by tenant when
 * authenticated and by client address otherwise.
 */
const tierLimitsPlugin: FastifyPluginAsync<TierLimitsOptions> = async (fastify, rawOptions) => {
  const options = resolveOptions(rawOptions)
  let lastWarning = 0
  // One warning per interval, not one per request, while the counters are away.
  const warnUnavailable = (log: FastifyBaseLogger, error: unknown): void => {
    const now = Date.now()
    if (now - lastWarning < WARN_EVERY_MS) return
    lastWarning = now
    log.warn({ err: error, policy: options.redisFailure }, options.redisFailure === 'open'
      ? 'rate-limit counters unreachable: letting requests through unlimited'
      : 'rate-limit counters unreachable: refusing requests with 503')
  }
  let service: TierLimitService | undefined
  fastify.decorate('tierLimits', { getter: () => service! })

  fastify.addHook('onReady', async () => {
    const core = fastify.sentryagent
    const store = options.store ?? (options.redis === undefined ? new MemoryRateLimitStore(core.clock) : new RedisRateLimitStore(options.redis))
    // The deadline bounds each round trip, not the decision: see TierLimitService.
    service = new TierLimitService(store, core.tiers, new AgentCountRepository(core.db), core.clock, options.anonymousPerMinute, options.decisionTimeoutMs)
    const limits = service
    // The token quota follows the limiter's failure policy; its own refusals pass through.
    // (The agent cap counts rows in PostgreSQL: its failures are the database's, answered 503.)
    const guarded = async (work: Promise<void>): Promise<void> => {
      try {
        await work
      } catch (error) {
        if (error instanceof TokenQuotaExceededError) throw error
        warnUnavailable(fastify.log, error)
        if (options.redisFailure === 'closed') throw new LimitsUnavailableError()
      }
    }
    core.agents.addRegistrationGuard(async (organizationId) => limits.guardRegistration(organizationId, options.upgradeUrl))
    core.tokens.addIssuanceGuard(async ({ organizationId }) => guarded(limits.guardIssuance(organizationId, options.upgradeUrl)))
    if (options.rateLimit) enforcer = createEnforcer(core, limits, options, warnUnavailable)
  })

  let enforcer: Enforcer | undefined
  if (options.rateLimit) {
    fastify.decorateRequest(TICKET, null)
    // Callback style, both: an async hook would cost a promise on every request.
    fastify.addHook('onRequest', (request, _reply, done) => {
      enforcer?.start(request)
      done()
    })
    const enforce: onRequestHookHandler = (request, reply, done) => {
      if (enforcer === undefined) done()
      else enforcer.enforce(request, reply, done)
    }
    // On the routes it limits only (a route with `config.rateLimit: false` runs none of it), as
    // a route-level onRequest hook: those run after the app's, so after the auth hook, and
    // before the body is read; and no other hook stage is added to the request.
    fastify.addHook('onRoute', (route) => {
      if (declaresNoLimit(route.config)) return
      route.onRequest = route.onRequest === undefined ? [enforce] : [...[route.onRequest].flat(), enforce]
    })
  }
}

interface Enforcer {
  /** Before the auth hook: joins the decision early for a bearer token verified before. */
  start(request: FastifyRequest): void
  /** After the auth hook: sets the headers and calls `done`, or answers 429 (or 503 when closed on failure). */
  enforce(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void
}

const KNOWN_TOKENS = 10_000
// The request's place in a batch when it joined one before the auth hook.
const TICKET = Symbol('tier rate-limit ticket')
type WithTicket = FastifyRequest & { [TICKET]: Ticket | null }

function createEnforcer (core: SentryAgentCore, limits: TierLimitService, options: ResolvedTierLimitsOptions,
  warnUnavailable: (log: FastifyBaseLogger, error: unknown) => void): Enforcer {
  const decisions = counter(core.metrics, 'rate_limit_decisions_total', 'Tier rate-limit decisions', ['tier', 'outcome'])
  const hits = counter(core.metrics, 'rate_limit_hits_total', 'Requests refused by the tier rate limiter', ['tier'])
  const storeDuration = histogram(core.metrics, 'rate_limit_store_duration_seconds', 'Time for one rate-limit decision (tier lookup and counters, for a batch)')

  // Metrics once per batch; every waiting request then applies its share.
  const batches = new DecisionBatches(async (batch) => {
    const stop = storeDuration.startTimer()
    let decision: Decision
    try {
      decision = await limits.decide(batch.caller, batch.route, batch.size)
    } catch (error) {
      decisions.inc({ tier: 'unknown', outcome: options.redisFailure === 'open' ? 'failed_open' : 'failed_closed' }, batch.size)
      throw error
    } finally {
      stop()
    }
    const tier = decision.tier ?? 'anonymous'
    if (decision.admitted > 0) decisions.inc({ tier, outcome: 'allowed' }, decision.admitted)
    const refused = batch.size - decision.admitted
    if (refused > 0) {
      decisions.inc({ tier, outcome: 'limited' }, refused)
      hits.inc({ tier }, refused)
    }
    return decision
  })

  function unavailable (request: FastifyRequest, reply: FastifyReply, error: unknown): boolean {
    warnUnavailable(request.log, error)
    if (options.redisFailure === 'open') return false
    void reply.code(503).header('retry-after', UNAVAILABLE_RETRY_AFTER_SECONDS)
      .send({ code: 'SERVICE_UNAVAILABLE', message: 'Rate limiting is unavailable, retry shortly' })
    return true
  }

  function refuse (request: FastifyRequest, reply: FastifyReply, decision: Decision): void {
    const refusedBy = decision.refusedBy!
    const window = formatWindow(refusedBy.windowMs)
    const principal = request.principal ?? null
    if (principal !== null) core.usage.increment(principal.organizationId, principal.agentId, 'rate_limited')
    void reply.code(429).header('retry-after', decision.retryAfter).send({
      code: 'RATE_LIMITED',
      message: `Rate limit of ${refusedBy.limit} requests per ${window} exceeded`,
      details: { tier: decision.tier, limit: refusedBy.limit, window, retryAfter: decision.retryAfter, upgradeUrl: options.upgradeUrl }
    })
  }

  /** The request's share of its batch's decision: headers, then on (`done`) or a 429 / 503. */
  function apply (request: FastifyRequest, reply: FastifyReply, { batch, position }: Ticket, done: (error?: Error) => void): void {
    try {
      const decision = batch.decision
      if (decision === undefined) {
        if (!unavailable(request, reply, batch.error)) done()
        return
      }
      setRateLimitHeaders(reply, decision, position)
      if (position < decision.admitted) done()
      else refuse(request, reply, decision)
    } catch (error) {
      done(error as Error)
    }
  }

  // An authorization header the auth hook accepted maps to one tenant until its token expires.
  // Knowing it, the request joins its batch before the auth hook, so that the decision's Redis
  // round trip runs alongside the auth hook's revocation lookup. Only headers verified before
  // count early: a forged one names no tenant here. Looked up by the token's signature, as core
  // does: hashing a whole header of 700 characters costs about a microsecond.
  const knownTokens = new TokenCache<{ organizationId: string, expiresAt: number }>(KNOWN_TOKENS)

  function start (request: FastifyRequest): void {
    const authorization = request.headers.authorization
    if (authorization === undefined) return
    const known = knownTokens.get(authorization)
    if (known === undefined || known.expiresAt * 1000 <= core.clock.now().getTime()) return
    // Only where the auth hook runs: elsewhere (a public route, a 404) the request is limited by
    // address, and joining the tenant's batch too would count it twice.
    const route = request.routeOptions
    if (route.config.scopes === undefined) return
    const limit = routeLimitOf(request.method, route)
    if (limit === false) return
    const early = request as WithTicket
    early[TICKET] = batches.join({ organizationId: known.organizationId }, limit)
  }

  // Attached only to routes with a limit (see onRoute), so a request that joined early needs
  // nothing more of its route here.
  function enforce (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void {
    // Routes of contexts created before core was registered have no `principal` decoration at all.
    const principal = request.principal ?? null
    let ticket = (request as WithTicket)[TICKET]
    if (principal === null || ticket === null || ticket.batch.organizationId !== principal.organizationId) {
      const limit = routeLimitOf(request.method, request.routeOptions)
      if (limit === false) {
        done()
        return
      }
      ticket = batches.join(principal === null ? { address: request.ip } : { organizationId: principal.organizationId }, limit)
      const authorization = request.headers.authorization
      if (principal !== null && authorization !== undefined) knownTokens.set(authorization, { organizationId: principal.organizationId, expiresAt: principal.expiresAt })
    }
    const joined = ticket
    joined.batch.whenSettled(() => { apply(request, reply, joined, done) })
  }

  return { start, enforce }
}

export { tierLimitsPlugin }
