import type { FastifyBaseLogger, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { LRUCache } from 'lru-cache'
import { counter, histogram, type SentryAgentCore } from '@sentryagent/core'
import { resolveOptions, type ResolvedTierLimitsOptions, type TierLimitsOptions } from './options.js'
import { RedisRateLimitStore } from './redis-rate-limit-store.js'
import { MemoryRateLimitStore } from './memory-rate-limit-store.js'
import { AgentCountRepository } from './repository.js'
import { TierLimitService, type Decision } from './service.js'
import { routeLimitOf } from './route-limits.js'
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

class DecisionTimeout extends Error {}

/** The decision, or a rejection once `ms` passed: a hung Redis must not hold the request. */
async function within<T> (promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new DecisionTimeout(`no rate-limit decision within ${ms} ms`)) }, ms)
  })
  promise.catch(() => {}) // it may settle after the deadline won
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}

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
    service = new TierLimitService(store, core.tiers, new AgentCountRepository(core.db), core.clock, options.anonymousPerMinute)
    const limits = service
    // The token quota follows the limiter's failure policy; its own refusals pass through.
    // (The agent cap counts rows in PostgreSQL: its failures are the database's, answered 503.)
    const guarded = async (work: Promise<void>): Promise<void> => {
      try {
        await within(work, options.decisionTimeoutMs)
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
    // Callback style: an async hook would cost a promise on every request.
    fastify.addHook('onRequest', (request, _reply, done) => {
      enforcer?.start(request)
      done()
    })
    fastify.addHook('preValidation', async (request, reply) => {
      if (enforcer === undefined) return
      await enforcer.enforce(request, reply)
      if (reply.sent) return reply
    })
  }
}

interface Enforcer {
  /** Before the auth hook: starts the decision early for a bearer token verified before. */
  start(request: FastifyRequest): void
  /** After the auth hook: sets the headers, or answers 429 (or 503 when closed on failure). */
  enforce(request: FastifyRequest, reply: FastifyReply): Promise<void>
}

const BEARER = /^Bearer (\S+)$/i
const KNOWN_TOKENS = 10_000

function createEnforcer (core: SentryAgentCore, limits: TierLimitService, options: ResolvedTierLimitsOptions,
  warnUnavailable: (log: FastifyBaseLogger, error: unknown) => void): Enforcer {
  const decisions = counter(core.metrics, 'rate_limit_decisions_total', 'Tier rate-limit decisions', ['tier', 'outcome'])
  const hits = counter(core.metrics, 'rate_limit_hits_total', 'Requests refused by the tier rate limiter', ['tier'])
  const storeDuration = histogram(core.metrics, 'rate_limit_store_duration_seconds', 'Time for one rate-limit decision (tier lookup and counters)')

  function unavailable (request: FastifyRequest, reply: FastifyReply, error: unknown): void {
    const outcome = options.redisFailure === 'open' ? 'failed_open' : 'failed_closed'
    decisions.inc({ tier: 'unknown', outcome })
    warnUnavailable(request.log, error)
    if (options.redisFailure === 'closed') {
      void reply.code(503).header('retry-after', UNAVAILABLE_RETRY_AFTER_SECONDS)
        .send({ code: 'SERVICE_UNAVAILABLE', message: 'Rate limiting is unavailable, retry shortly' })
    }
  }

  function refuse (request: FastifyRequest, reply: FastifyReply, decision: Decision): void {
    const refusedBy = decision.refusedBy!
    const window = formatWindow(refusedBy.windowMs)
    hits.inc({ tier: decision.tier ?? 'anonymous' })
    const principal = request.principal ?? null
    if (principal !== null) core.usage.increment(principal.organizationId, principal.agentId, 'rate_limited')
    void reply.code(429).header('retry-after', decision.retryAfter).send({
      code: 'RATE_LIMITED',
      message: `Rate limit of ${refusedBy.limit} requests per ${window} exceeded`,
      details: { tier: decision.tier, limit: refusedBy.limit, window, retryAfter: decision.retryAfter, upgradeUrl: options.upgradeUrl }
    })
  }

  // A token string the auth hook accepted maps to one tenant until it expires. Knowing it, the
  // decision's Redis round trip runs alongside the auth hook's revocation lookup instead of
  // after it. Only tokens verified before count early: a forged one names no tenant here.
  const knownTokens = new LRUCache<string, { organizationId: string, expiresAt: number }>({ max: KNOWN_TOKENS })
  const early = new WeakMap<FastifyRequest, { organizationId: string, decision: Promise<Decision> }>()
  const bearerOf = (request: FastifyRequest): string | undefined => BEARER.exec(request.headers.authorization ?? '')?.[1]

  function start (request: FastifyRequest): void {
    if (request.routeOptions.config.scopes === undefined) return
    const route = routeLimitOf(request)
    const token = bearerOf(request)
    if (route === false || token === undefined) return
    const known = knownTokens.get(token)
    if (known === undefined || known.expiresAt * 1000 <= core.clock.now().getTime()) return
    const decision = limits.decide({ organizationId: known.organizationId }, route)
    decision.catch(() => {}) // awaited in enforce, unless the auth hook refuses the request first
    early.set(request, { organizationId: known.organizationId, decision })
  }

  async function enforce (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const route = routeLimitOf(request)
    if (route === false) return
    // Routes of contexts created before core was registered have no `principal` decoration at all.
    const principal = request.principal ?? null
    const started = early.get(request)
    let pending: Promise<Decision>
    if (principal !== null && started?.organizationId === principal.organizationId) {
      pending = started.decision
    } else {
      pending = limits.decide(principal === null ? { address: request.ip } : { organizationId: principal.organizationId }, route)
      const token = bearerOf(request)
      if (principal !== null && token !== undefined) knownTokens.set(token, { organizationId: principal.organizationId, expiresAt: principal.expiresAt })
    }
    const stop = storeDuration.startTimer()
    let decision: Decision
    try {
      decision = await within(pending, options.decisionTimeoutMs)
    } catch (error) {
      unavailable(request, reply, error)
      return
    } finally {
      stop()
    }
    setRateLimitHeaders(reply, decision)
    decisions.inc({ tier: decision.tier ?? 'anonymous', outcome: decision.allowed ? 'allowed' : 'limited' })
    if (!decision.allowed) refuse(request, reply, decision)
  }

  return { start, enforce }
}

export { tierLimitsPlugin }
