import type { Queryable } from '@sentryagent/core'
import type { SubscriptionEvent } from './payment-provider.js'

/** billing_events (idempotency per provider event) and the provider columns of tenant_subscriptions. */
export class BillingRepository {
  constructor (private readonly db: Queryable) {}

  /** Records the event; false when it was recorded before (a replay). */
  async claim (event: SubscriptionEvent): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'INSERT INTO billing_events (event_id, event_type, organization_id) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING',
      [event.eventId, event.eventType, event.organizationId])
    return rowCount === 1
  }

  /** Forgets an event whose application failed, so that the provider's retry applies it. */
  async release (eventId: string): Promise<void> {
    await this.db.query('DELETE FROM billing_events WHERE event_id = $1', [eventId])
  }

  async updateSubscription (event: SubscriptionEvent): Promise<void> {
    await this.db.query(
      `UPDATE tenant_subscriptions SET status = $2,
         external_customer_id = COALESCE($3, external_customer_id),
         external_subscription_id = COALESCE($4, external_subscription_id),
         current_period_start = COALESCE($5, current_period_start),
         current_period_end = COALESCE($6, current_period_end),
         updated_at = now()
       WHERE organization_id = $1`,
      [event.organizationId, event.status, event.customerId, event.subscriptionId, event.periodStart, event.periodEnd])
  }
}
