import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { authErrorResponses, ErrorResponse, principalOf } from '@sentryagent/core'
import { CheckoutResponse, UpgradeRequest, WebhookReceipt } from '../schemas.js'
import type { BillingService } from '../billing-service.js'

const tags = ['Billing']

export const billingRoutes: FastifyPluginAsyncTypebox<{ billing: BillingService }> = async (fastify, { billing }) => {
  fastify.post('/billing/upgrade', {
    config: { scopes: ['billing:write'] },
    schema: {
      tags,
      security: [{ bearerAuth: [] }],
      summary: 'Start an upgrade: a checkout session with the payment provider for a higher tier',
      body: UpgradeRequest,
      response: { 200: CheckoutResponse, ...authErrorResponses, 409: ErrorResponse, 501: ErrorResponse }
    }
  }, async (request) => {
    const { organizationId, agentId } = principalOf(request)
    return billing.upgrade({ organizationId, agentId }, request.body.tier)
  })

  // The signature covers the exact bytes: this route keeps the body raw.
  await fastify.register(async (webhook) => {
    webhook.removeAllContentTypeParsers()
    webhook.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => { done(null, body) })
    webhook.post('/billing/webhook', {
      // Signed by the provider, which retries; counting it per address would only lose events.
      config: { rateLimit: false } as Record<string, unknown>,
      schema: {
        tags,
        summary: 'Payment-provider webhook (Stripe-Signature verified): applies subscription changes once per event',
        response: { 200: WebhookReceipt, 400: ErrorResponse, 501: ErrorResponse, 503: ErrorResponse }
      }
    }, async (request) => {
      const signature = request.headers['stripe-signature']
      const outcome = await billing.applyWebhook(request.body as Buffer, typeof signature === 'string' ? signature : '')
      if (outcome !== 'applied' && outcome !== 'duplicate') request.log.warn({ outcome }, 'billing webhook changed nothing')
      return { received: true as const, outcome }
    })
  })
}
