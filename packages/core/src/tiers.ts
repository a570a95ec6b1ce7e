import type { Tier } from './repositories/organization-repository.js'

export interface TierLimits {
  /** null: unlimited. */
  registeredAgents: number | null
  apiCallsPerDay: number | null
  tokenIssuancesPerDay: number | null
  rateLimitPerMinute: number
  rateLimitBurst: number
  auditLogRetentionDays: number
  maxDelegationDepth: number
  analyticsHistoryDays: number
}

export interface TierDefinition {
  id: Tier
  name: string
  /** monthly: null means "contact sales". */
  price: { monthly: number | null, currency: 'USD' }
  limits: TierLimits
  features: {
    a2aDelegation: boolean
    usageAnalytics: boolean
    agntcyComplianceReport: boolean
    prioritySupport: boolean
    uptimeSla: string | null
  }
}

/** The one tier map: every limit in the product is read from here, and `GET /tiers` returns it verbatim. */
export const TIERS: readonly TierDefinition[] = Object.freeze([
  {
    id: 'free',
    name: 'Free',
    price: { monthly: 0, currency: 'USD' },
    limits: { registeredAgents: 10, apiCallsPerDay: 1_000, tokenIssuancesPerDay: 200, rateLimitPerMinute: 60, rateLimitBurst: 10, auditLogRetentionDays: 30, maxDelegationDepth: 2, analyticsHistoryDays: 30 },
    features: { a2aDelegation: true, usageAnalytics: true, agntcyComplianceReport: false, prioritySupport: false, uptimeSla: null }
  },
  {
    id: 'pro',
    name: 'Pro',
    price: { monthly: 49, currency: 'USD' },
    limits: { registeredAgents: 100, apiCallsPerDay: 50_000, tokenIssuancesPerDay: 10_000, rateLimitPerMinute: 600, rateLimitBurst: 100, auditLogRetentionDays: 90, maxDelegationDepth: 5, analyticsHistoryDays: 90 },
    features: { a2aDelegation: true, usageAnalytics: true, agntcyComplianceReport: true, prioritySupport: false, uptimeSla: '99.9%' }
  },
  {
    id: 'enterprise',
    name: 'Enterprise',
    price: { monthly: null, currency: 'USD' },
    limits: { registeredAgents: null, apiCallsPerDay: null, tokenIssuancesPerDay: null, rateLimitPerMinute: 6_000, rateLimitBurst: 1_000, auditLogRetentionDays: 365, maxDelegationDepth: 10, analyticsHistoryDays: 365 },
    features: { a2aDelegation: true, usageAnalytics: true, agntcyComplianceReport: true, prioritySupport: true, uptimeSla: '99.95%' }
  }
].map((tier) => Object.freeze(tier)) as TierDefinition[])

export function tierDefinition (tier: Tier): TierDefinition {
  return TIERS.find((definition) => definition.id === tier)!
}
