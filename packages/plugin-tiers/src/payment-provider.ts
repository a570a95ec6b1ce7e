import type { Tier } from '@sentryagent/core'

export interface CheckoutRequest {
  organizationId: string
  tier: Tier
  /** Monthly price in the currency's minor unit (cents). */
  unitAmount: number
  currency: string
  productName: string
  successUrl: string
  cancelUrl: string
}

export interface CheckoutSession { sessionId: string, checkoutUrl: string }

export type SubscriptionStatus = 'active' | 'past_due' | 'canceled'

/** A provider's webhook event, verified and reduced to what changes a subscription. */
export interface SubscriptionEvent {
  eventId: string
  eventType: string
  organizationId: string
  tier: Tier
  status: SubscriptionStatus
  customerId: string | null
  subscriptionId: string | null
  periodStart: Date | null
  periodEnd: Date | null
}

/** Where money is taken: Stripe in production, any other implementation in other setups. */
export interface PaymentProvider {
  createCheckout(request: CheckoutRequest): Promise<CheckoutSession>
  /**
   * Verifies the signature over the raw body and reduces the event; undefined for events that
   * don't change a subscription. Throws InvalidSignatureError when the signature doesn't hold.
   */
  parseWebhook(rawBody: Buffer, signature: string): SubscriptionEvent | undefined
}
