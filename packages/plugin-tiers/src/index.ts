import fp from 'fastify-plugin'
import { tierLimitsPlugin } from './tier-limits-plugin.js'
import { tiersPlugin } from './plugin.js'

/** The rate limiter and quotas: shares `fastify.tierLimits` and a hook with the whole app. */
export const tierLimits = fp(tierLimitsPlugin, { fastify: '5.x', name: '@sentryagent/plugin-tiers/limits' })
export default tiersPlugin
export { tiersPlugin, tiersMigrationsDirectory, type TiersPluginOptions } from './plugin.js'
export { DEFAULTS, type TierLimitsOptions, type RedisFailurePolicy } from './options.js'
export * from './errors.js'
export type { RateLimitStore, RateLimitCheck, RateLimitCounts, RateLimitLeaseRequest, RateLimitRefund, Denial } from './rate-limit-store.js'
export { RedisRateLimitStore } from './redis-rate-limit-store.js'
export { MemoryRateLimitStore } from './memory-rate-limit-store.js'
export { TierLimitService, type Decision, type Policy, type TenantUsage, type TierLookup, type RegisteredAgentCounter, type RouteLimit } from './service.js'
export { TierList, TierStatus, TierSchema, TierLimitsSchema } from './schemas.js'
export type { PaymentProvider, CheckoutRequest, CheckoutSession, SubscriptionEvent, SubscriptionStatus } from './payment-provider.js'
export { StripePaymentProvider, type StripeProviderOptions } from './stripe-payment-provider.js'
export { BillingService, type WebhookOutcome } from './billing-service.js'
