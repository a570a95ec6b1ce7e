import { Type } from 'typebox'

const Count = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'null: unlimited' })

export const TierLimitsSchema = Type.Object({
  registeredAgents: Count,
  apiCallsPerDay: Count,
  tokenIssuancesPerDay: Count,
  rateLimitPerMinute: Type.Integer(),
  rateLimitBurst: Type.Integer({ description: 'Requests admitted within one second' }),
  auditLogRetentionDays: Type.Integer(),
  maxDelegationDepth: Type.Integer(),
  analyticsHistoryDays: Type.Integer()
}, { $id: 'TierLimits' })

export const TierId = Type.Union([Type.Literal('free'), Type.Literal('pro'), Type.Literal('enterprise')])

export const TierSchema = Type.Object({
  id: TierId,
  name: Type.String(),
  price: Type.Object({
    monthly: Type.Union([Type.Number(), Type.Null()], { description: 'null: contact sales' }),
    currency: Type.Literal('USD')
  }),
  limits: TierLimitsSchema,
  features: Type.Object({
    a2aDelegation: Type.Boolean(),
    usageAnalytics: Type.Boolean(),
    agntcyComplianceReport: Type.Boolean(),
    prioritySupport: Type.Boolean(),
    uptimeSla: Type.Union([Type.String(), Type.Null()])
  })
}, { $id: 'Tier' })

export const TierList = Type.Object({ tiers: Type.Array(TierSchema) }, { $id: 'TierList' })

export const TierStatus = Type.Object({
  tier: TierId,
  limits: TierLimitsSchema,
  usage: Type.Object({
    agentCount: Type.Integer({ description: 'Registered agents (not decommissioned)' }),
    callsToday: Type.Integer({ description: 'Rate-limited API calls this UTC day' }),
    tokensToday: Type.Integer({ description: 'Access tokens issued this UTC day' })
  })
}, { $id: 'TierStatus' })

export const UpgradeRequest = Type.Object({
  tier: TierId
}, { additionalProperties: false, $id: 'BillingUpgradeRequest' })

export const CheckoutResponse = Type.Object({
  tier: TierId,
  sessionId: Type.String(),
  checkoutUrl: Type.String({ description: 'Send the buyer here to pay; the tier changes when the provider confirms' })
}, { $id: 'BillingCheckout' })

export const WebhookReceipt = Type.Object({
  received: Type.Literal(true),
  outcome: Type.Union([Type.Literal('applied'), Type.Literal('duplicate'), Type.Literal('ignored'), Type.Literal('unknown_tenant')])
}, { $id: 'BillingWebhookReceipt' })
