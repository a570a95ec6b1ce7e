import createError from '@fastify/error'

// API errors in the platform dialect; the error handler renders `{ code, message, details }`.
export const AgentLimitReachedError = createError<[number, string]>('AGENT_LIMIT_REACHED', 'The organization already has %d registered agents, the maximum of the %s tier', 403)
export const TokenQuotaExceededError = createError<[number, string]>('TOKEN_QUOTA_EXCEEDED', 'The daily quota of %d token issuances of the %s tier is used up', 429)

// Invalid plugin options: thrown once at registration.
export const InvalidOptionError = createError<[string]>('SENTRYAGENT_TIERS_INVALID_OPTION', 'Invalid @sentryagent/plugin-tiers option: %s', 500)

/** Attaches `details` (read by core's error handler) to a coded error. */
export function withDetails<E extends Error> (error: E, details: Record<string, unknown>): E {
  return Object.assign(error, { details })
}
export const MissingLimitsError = createError('SENTRYAGENT_TIERS_MISSING_LIMITS', 'Register the tierLimits plugin (before the routes it guards) before the tiers routes', 500)
// core's error handler answers 503 with retry-after for it.
export const LimitsUnavailableError = createError('SERVICE_UNAVAILABLE', 'Rate limiting is unavailable, retry shortly', 503)
export const BillingNotConfiguredError = createError('BILLING_NOT_CONFIGURED', 'Billing is not configured on this server', 501)
export const TierNotSelfServiceError = createError<[string]>('TIER_NOT_SELF_SERVICE', 'The %s tier is sold by contact with sales, not online', 409)
export const NotAnUpgradeError = createError<[string, string]>('TIER_NOT_AN_UPGRADE', 'The organization is on %s already; %s is not an upgrade', 409)
export const InvalidSignatureError = createError('INVALID_SIGNATURE', 'The webhook signature does not verify', 400)
// core's error handler answers 503 SERVICE_UNAVAILABLE with retry-after for it; the cause is logged.
export const PaymentProviderUnavailableError = createError('PAYMENT_PROVIDER_UNAVAILABLE', 'The payment provider could not create a checkout session', 503)
