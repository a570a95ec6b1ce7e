import t from 'tap'
import { randomUUID } from 'node:crypto'
import Stripe from 'stripe'
import type { FastifyInstance } from 'fastify'
import { buildApp, call, ManualClock, tenant, type Teardown, type Tenant } from './helpers.js'
import { fakeStripe, type FakeStripe } from './fake-stripe.js'

const WEBHOOK_SECRET = 'whsec_test_secret'
const signer = new Stripe('sk_test_fake')

async function billingApp (t: Teardown, clock = new ManualClock()): Promise<{ app: FastifyInstance, stripe: FakeStripe }> {
  const stripe = await fakeStripe(t)
  const app = await buildApp(t, { clock, tiers: { stripe: { secretKey: 'sk_test_fake', webhookSecret: WEBHOOK_SECRET, apiUrl: stripe.url, timeoutMs: 2000 } } })
  return { app, stripe }
}

function webhook (app: FastifyInstance, event: Record<string, unknown>, secret = WEBHOOK_SECRET) {
  const payload = JSON.stringify({ object: 'event', api_version: '2025-01-01', ...event })
  const signature = signer.webhooks.generateTestHeaderString({ payload, secret })
  return app.inject({ method: 'POST', url: '/api/v1/billing/webhook', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, payload })
}

const completed = (organizationId: string, tier = 'pro') => ({
  id: `evt_${randomUUID()}`,
  type: 'checkout.session.completed',
  data: { object: { id: 'cs_test_x', object: 'checkout.session', client_reference_id: organizationId, customer: 'cus_123', subscription: 'sub_123', metadata: { organizationId, tier } } }
})

const subscriptionEvent = (type: string, organizationId: string, status: string) => ({
  id: `evt_${randomUUID()}`,
  type,
  data: { object: { id: 'sub_123', object: 'subscription', customer: 'cus_123', status, metadata: { organizationId, tier: 'pro' }, items: { data: [{ current_period_start: 1_773_000_000, current_period_end: 1_775_600_000 }] } } }
})

async function subscriptionRow (app: FastifyInstance, organizationId: string) {
  const { rows } = await app.sentryagent.db.query('SELECT tier, status, external_customer_id, external_subscription_id, current_period_end FROM tenant_subscriptions WHERE organization_id = $1', [organizationId])
  return rows[0]!
}

const upgrade = (app: FastifyInstance, who: Tenant, tier: string) =>
  app.inject({ method: 'POST', url: '/api/v1/billing/upgrade', headers: { authorization: who.authorization }, payload: { tier } })

t.test('POST /billing/upgrade creates a Stripe Checkout session priced from the tier map', async (t) => {
  const { app, stripe } = await billingApp(t)
  const owner = await tenant(app)
  const response = await upgrade(app, owner, 'pro')
  t.equal(response.statusCode, 200)
  t.match(response.json(), { tier: 'pro', sessionId: /^cs_test_/, checkoutUrl: /^https:\/\/checkout\.stripe\.test\// })
  t.match(stripe.sessions[0], {
    mode: 'subscription',
    client_reference_id: owner.organizationId,
    'line_items[0][price_data][unit_amount]': '4900',
    'line_items[0][price_data][currency]': 'usd',
    'line_items[0][price_data][recurring][interval]': 'month',
    'subscription_data[metadata][tier]': 'pro'
  })
  t.equal(await app.sentryagent.tiers.tierOf(owner.organizationId), 'free', 'nothing changes before the payment is confirmed')
})

t.test('an upgrade must go up, and enterprise is sold by sales', async (t) => {
  const { app } = await billingApp(t)
  const owner = await tenant(app, 'pro')
  t.equal((await upgrade(app, owner, 'free')).json().code, 'TIER_NOT_AN_UPGRADE')
  t.equal((await upgrade(app, owner, 'pro')).statusCode, 409)
  const enterprise = await upgrade(app, owner, 'enterprise')
  t.equal(enterprise.statusCode, 409)
  t.equal(enterprise.json().code, 'TIER_NOT_SELF_SERVICE')
  t.equal((await upgrade(app, owner, 'platinum')).json().code, 'VALIDATION_ERROR')
})

t.test('upgrading needs billing:write', async (t) => {
  const { app } = await billingApp(t)
  const owner = await tenant(app)
  const { access_token: token } = await app.sentryagent.tokens.issueForClient(owner.clientId, owner.clientSecret, 'agents:read')
  const response = await upgrade(app, { ...owner, authorization: `Bearer ${token}` }, 'pro')
  t.equal(response.statusCode, 403)
})

t.test('Stripe unreachable answers 503, never a 500', async (t) => {
  const { app, stripe } = await billingApp(t)
  const owner = await tenant(app)
  stripe.failWith = 500
  const response = await upgrade(app, owner, 'pro')
  t.equal(response.statusCode, 503)
  t.equal(response.json().code, 'SERVICE_UNAVAILABLE')
})

t.test('checkout.session.completed moves the tenant up at once, once per event id', async (t) => {
  const clock = new ManualClock()
  const { app } = await billingApp(t, clock)
  const second = await buildApp(t, { clock })
  const owner = await tenant(app)
  t.equal((await call(second, owner)).headers['x-ratelimit-limit'], '60', 'the other instance has the free tier cached')
  const event = completed(owner.organizationId)
  const applied = await webhook(app, event)
  t.same(applied.json(), { received: true, outcome: 'applied' })
  t.match(await subscriptionRow(app, owner.organizationId), { tier: 'pro', status: 'active', external_customer_id: 'cus_123', external_subscription_id: 'sub_123' })
  let limit: unknown
  for (let i = 0; i < 50 && limit !== '600'; i++) {
    clock.advance(1000)
    limit = (await call(second, owner)).headers['x-ratelimit-limit']
    if (limit !== '600') await new Promise((resolve) => setTimeout(resolve, 20))
  }
  t.equal(limit, '600', 'every instance applies the new tier on its next request')

  const before = (await app.sentryagent.audit.list(owner.organizationId, { page: 1, limit: 100 } as never)).total
  const replay = await webhook(app, event)
  t.same(replay.json(), { received: true, outcome: 'duplicate' })
  await app.sentryagent.audit.flush()
  t.equal((await app.sentryagent.audit.list(owner.organizationId, { page: 1, limit: 100 } as never)).total, before, 'a replay audits nothing')
  const { events } = await app.sentryagent.audit.list(owner.organizationId, { page: 1, limit: 100 } as never)
  t.ok(events.some((entry) => entry.action === 'subscription.tier_changed'), 'the change is audited')
})

t.test('a bad signature or an unknown tenant changes nothing', async (t) => {
  const { app } = await billingApp(t)
  const owner = await tenant(app)
  const forged = await webhook(app, completed(owner.organizationId), 'whsec_someone_else')
  t.equal(forged.statusCode, 400)
  t.equal(forged.json().code, 'INVALID_SIGNATURE')
  const unsigned = await app.inject({ method: 'POST', url: '/api/v1/billing/webhook', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(completed(owner.organizationId)) })
  t.equal(unsigned.statusCode, 400)
  t.same((await webhook(app, completed(randomUUID()))).json(), { received: true, outcome: 'unknown_tenant' })
  t.same((await webhook(app, { id: 'evt_other', type: 'invoice.paid', data: { object: { metadata: { organizationId: owner.organizationId, tier: 'pro' } } } })).json(), { received: true, outcome: 'ignored' })
  t.same((await webhook(app, completed('not-a-uuid'))).json(), { received: true, outcome: 'ignored' })
  t.equal((await subscriptionRow(app, owner.organizationId)).tier, 'free')
})

t.test('subscription updates and deletions apply, downgrades included', async (t) => {
  const { app } = await billingApp(t)
  const owner = await tenant(app)
  await webhook(app, completed(owner.organizationId))
  t.same((await webhook(app, subscriptionEvent('customer.subscription.updated', owner.organizationId, 'past_due'))).json().outcome, 'applied')
  t.match(await subscriptionRow(app, owner.organizationId), { tier: 'pro', status: 'past_due', current_period_end: new Date(1_775_600_000 * 1000) })
  await webhook(app, subscriptionEvent('customer.subscription.updated', owner.organizationId, 'active'))
  t.equal((await subscriptionRow(app, owner.organizationId)).status, 'active')
  await webhook(app, subscriptionEvent('customer.subscription.deleted', owner.organizationId, 'canceled'))
  t.match(await subscriptionRow(app, owner.organizationId), { tier: 'free', status: 'canceled' })
  t.equal(await app.sentryagent.tiers.tierOf(owner.organizationId), 'free')
})

t.test('without Stripe configured, billing answers 501 BILLING_NOT_CONFIGURED', async (t) => {
  const app = await buildApp(t)
  const owner = await tenant(app)
  const response = await upgrade(app, owner, 'pro')
  t.equal(response.statusCode, 501)
  t.equal(response.json().code, 'BILLING_NOT_CONFIGURED')
  const hook = await app.inject({ method: 'POST', url: '/api/v1/billing/webhook', headers: { 'content-type': 'application/json' }, payload: '{}' })
  t.equal(hook.statusCode, 501)
})
