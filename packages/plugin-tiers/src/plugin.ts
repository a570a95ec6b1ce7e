import { fileURLToPath } from 'node:url'
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { coreMigrationsDirectory, loadMigrations, runMigrations, sentryErrorHandler } from '@sentryagent/core'
import { tierRoutes } from './routes/tiers.js'
import { billingRoutes } from './routes/billing.js'
import { BillingService } from './billing-service.js'
import { BillingRepository } from './billing-repository.js'
import { StripePaymentProvider, type StripeProviderOptions } from './stripe-payment-provider.js'
import type { PaymentProvider } from './payment-provider.js'
import { InvalidOptionError, MissingLimitsError } from './errors.js'

export const tiersMigrationsDirectory = fileURLToPath(new URL('../migrations', import.meta.url))

export interface TiersPluginOptions {
  /** The payment provider for upgrades; built from `stripe` when absent. Without both, billing answers 501. */
  payment?: PaymentProvider
  stripe?: StripeProviderOptions
  /** Where the provider sends the buyer back; default the public URL with `?billing=success|cancel`. */
  successUrl?: string
  cancelUrl?: string
  /** Apply this package's migrations at registration. */
  migrate?: boolean
}

// Errors of ours that core's handler would render as 500 (it knows no 501).
function tiersErrorHandler (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'BILLING_NOT_CONFIGURED') {
    void reply.code(501).send({ code: error.code, message: error.message })
    return
  }
  sentryErrorHandler(error, request, reply)
}

/**
 * The tiers API: `GET /tiers`, `GET /tiers/status`, `POST /billing/upgrade`, `POST /billing/webhook`.
 * Encapsulated; register it with the API `prefix`, after `@sentryagent/core` and `tierLimits`.
 */
export const tiersPlugin: FastifyPluginAsync<TiersPluginOptions> = async (fastify, options) => {
  if (!fastify.hasDecorator('tierLimits')) throw new MissingLimitsError()
  if (options.payment !== undefined && options.stripe !== undefined) throw new InvalidOptionError('give payment or stripe, not both')
  const core = fastify.sentryagent
  if (options.migrate ?? true) await runMigrations(core.db, await loadMigrations([coreMigrationsDirectory, tiersMigrationsDirectory]))
  const payment = options.payment ?? (options.stripe === undefined ? undefined : new StripePaymentProvider(options.stripe))
  const billing = new BillingService(payment, new BillingRepository(core.db), {
    tierOf: async (organizationId) => core.tiers.tierOf(organizationId),
    exists: async (organizationId) => core.organizations.get(organizationId).then(() => true, () => false),
    changeTier: async (organizationId, tier, details) => core.organizations.changeTier(organizationId, tier, details)
  }, core.audit, {
    successUrl: options.successUrl ?? `${core.options.publicUrl}/?billing=success`,
    cancelUrl: options.cancelUrl ?? `${core.options.publicUrl}/?billing=cancel`
  })
  fastify.setErrorHandler(tiersErrorHandler)
  await fastify.register(tierRoutes)
  await fastify.register(billingRoutes, { billing })
}
