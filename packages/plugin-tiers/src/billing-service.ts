import { tierDefinition, TIERS, type AuditLog, type Tier } from '@sentryagent/core'
import type { CheckoutSession, PaymentProvider, SubscriptionEvent } from './payment-provider.js'
import type { BillingRepository } from './billing-repository.js'
import { BillingNotConfiguredError, NotAnUpgradeError, TierNotSelfServiceError } from './errors.js'

/** What billing needs of core: the tenant's tier and the one way to change it. */
export interface TenantTiers {
  tierOf(organizationId: string): Promise<Tier>
  exists(organizationId: string): Promise<boolean>
  changeTier(organizationId: string, tier: Tier, details: Record<string, unknown>): Promise<void>
}

export interface BillingUrls { successUrl: string, cancelUrl: string }

export type WebhookOutcome = 'applied' | 'duplicate' | 'ignored' | 'unknown_tenant'

const rank = (tier: Tier): number => TIERS.findIndex((definition) => definition.id === tier)

/** Self-service upgrades through a payment provider, and the provider's webhooks applied to subscriptions. */
export class BillingService {
  constructor (
    private readonly provider: PaymentProvider | undefined,
    private readonly repository: BillingRepository,
    private readonly tenants: TenantTiers,
    private readonly audit: AuditLog,
    private readonly urls: BillingUrls
  ) {}

  async upgrade (actor: { organizationId: string, agentId: string }, tier: Tier): Promise<CheckoutSession & { tier: Tier }> {
    if (this.provider === undefined) throw new BillingNotConfiguredError()
    const current = await this.tenants.tierOf(actor.organizationId)
    const definition = tierDefinition(tier)
    if (rank(tier) <= rank(current)) throw new NotAnUpgradeError(current, tier)
    if (definition.price.monthly === null) throw new TierNotSelfServiceError(tier)
    const session = await this.provider.createCheckout({
      organizationId: actor.organizationId,
      tier,
      unitAmount: Math.round(definition.price.monthly * 100),
      currency: definition.price.currency.toLowerCase(),
      productName: `SentryAgent ${definition.name}`,
      ...this.urls
    })
    await this.audit.record({ ...actor, action: 'billing.checkout_created', details: { from: current, to: tier, sessionId: session.sessionId } })
    return { ...session, tier }
  }

  /** Applies a verified event once: a replay, an unknown tenant or an unrelated event changes nothing. */
  async applyWebhook (rawBody: Buffer, signature: string): Promise<WebhookOutcome> {
    if (this.provider === undefined) throw new BillingNotConfiguredError()
    const event = this.provider.parseWebhook(rawBody, signature)
    if (event === undefined) return 'ignored'
    if (!await this.tenants.exists(event.organizationId)) return 'unknown_tenant'
    if (!await this.repository.claim(event)) return 'duplicate'
    try {
      await this.#apply(event)
    } catch (error) {
      await this.repository.release(event.eventId)
      throw error
    }
    return 'applied'
  }

  async #apply (event: SubscriptionEvent): Promise<void> {
    await this.repository.updateSubscription(event)
    // Audits the change and drops the cached tier on every instance.
    await this.tenants.changeTier(event.organizationId, event.tier,
      { source: 'payment_provider', eventId: event.eventId, eventType: event.eventType, status: event.status })
  }
}
