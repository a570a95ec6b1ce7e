import Stripe from 'stripe'
import type { Tier } from '@sentryagent/core'
import type { CheckoutRequest, CheckoutSession, PaymentProvider, SubscriptionEvent, SubscriptionStatus } from './payment-provider.js'
import { InvalidSignatureError, PaymentProviderUnavailableError } from './errors.js'

export interface StripeProviderOptions {
  secretKey: string
  webhookSecret: string
  /** Another API base (a local fake in tests); default Stripe's own. */
  apiUrl?: string
  timeoutMs?: number
}

const TIERS = new Set<string>(['free', 'pro', 'enterprise'])
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
// Stripe's subscription statuses, as our three; the ones that end a subscription fall back to free.
const ENDED = new Set(['canceled', 'unpaid', 'incomplete_expired'])

interface StripeObject {
  id?: string
  client_reference_id?: string | null
  customer?: string | { id: string } | null
  subscription?: string | { id: string } | null
  status?: string
  metadata?: Record<string, string> | null
  current_period_start?: number
  current_period_end?: number
  items?: { data?: Array<{ current_period_start?: number, current_period_end?: number }> }
}

const idOf = (value: string | { id: string } | null | undefined): string | null => typeof value === 'string' ? value : value?.id ?? null
const instant = (seconds: number | undefined): Date | null => seconds === undefined ? null : new Date(seconds * 1000)

function statusOf (stripeStatus: string | undefined): SubscriptionStatus {
  if (stripeStatus === undefined || stripeStatus === 'active' || stripeStatus === 'trialing') return 'active'
  return ENDED.has(stripeStatus) ? 'canceled' : 'past_due'
}

/** Stripe Checkout for upgrades, Stripe webhooks for every change of a subscription. */
export class StripePaymentProvider implements PaymentProvider {
  readonly #stripe: Stripe

  constructor (private readonly options: StripeProviderOptions) {
    const api = options.apiUrl === undefined ? undefined : new URL(options.apiUrl)
    this.#stripe = new Stripe(options.secretKey, {
      maxNetworkRetries: 1,
      timeout: options.timeoutMs ?? 10_000,
      telemetry: false,
      ...(api === undefined ? {} : { host: api.hostname, port: api.port, protocol: api.protocol === 'http:' ? 'http' : 'https' })
    })
  }

  async createCheckout (request: CheckoutRequest): Promise<CheckoutSession> {
    const metadata = { organizationId: request.organizationId, tier: request.tier }
    let session: Stripe.Checkout.Session
    try {
      session = await this.#stripe.checkout.sessions.create({
      mode: 'subscription',
      client_reference_id: request.organizationId,
      line_items: [{
        quantity: 1,
        price_data: { currency: request.currency, unit_amount: request.unitAmount, recurring: { interval: 'month' }, product_data: { name: request.productName } }
      }],
      success_url: request.successUrl,
      cancel_url: request.cancelUrl,
      metadata,
      subscription_data: { metadata }
      })
    } catch (error) {
      throw new PaymentProviderUnavailableError({ cause: error })
    }
    return { sessionId: session.id, checkoutUrl: session.url ?? '' }
  }

  parseWebhook (rawBody: Buffer, signature: string): SubscriptionEvent | undefined {
    let event: { id: string, type: string, data: { object: unknown } }
    try {
      event = this.#stripe.webhooks.constructEvent(rawBody, signature, this.options.webhookSecret) as typeof event
    } catch {
      throw new InvalidSignatureError()
    }
    const object = event.data.object as StripeObject
    const metadata = object.metadata ?? {}
    const organizationId = (event.type === 'checkout.session.completed' ? object.client_reference_id : undefined) ?? metadata.organizationId
    const paidTier = metadata.tier
    if (organizationId === undefined || organizationId === null || !UUID.test(organizationId) || paidTier === undefined || !TIERS.has(paidTier)) return undefined
    const base = { eventId: event.id, eventType: event.type, organizationId, customerId: idOf(object.customer) }
    switch (event.type) {
      case 'checkout.session.completed':
        return { ...base, tier: paidTier as Tier, status: 'active', subscriptionId: idOf(object.subscription), periodStart: null, periodEnd: null }
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted': {
        const status = event.type === 'customer.subscription.deleted' ? 'canceled' : statusOf(object.status)
        // Newer API versions keep the period on the subscription's items.
        const period = object.items?.data?.[0] ?? object
        return {
          ...base,
          tier: status === 'canceled' ? 'free' : paidTier as Tier,
          status,
          subscriptionId: object.id ?? null,
          periodStart: instant(period.current_period_start),
          periodEnd: instant(period.current_period_end)
        }
      }
      default:
        return undefined
    }
  }
}
