import { Type, type Static } from 'typebox'

const Day = Type.String({ description: 'UTC day, YYYY-MM-DD', examples: ['2026-03-01'] })

export const AnalyticsRangeQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 10, description: 'First UTC day (YYYY-MM-DD); default: 29 days before `to`' })),
  to: Type.Optional(Type.String({ maxLength: 10, description: 'Last UTC day (YYYY-MM-DD); default: yesterday' }))
}, { $id: 'AnalyticsRangeQuery', additionalProperties: false })
export type AnalyticsRangeQuery = Static<typeof AnalyticsRangeQuery>

export const AgentActivityQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 10, description: 'First UTC day (YYYY-MM-DD)' })),
  to: Type.Optional(Type.String({ maxLength: 10, description: 'Last UTC day (YYYY-MM-DD)' })),
  agentId: Type.Optional(Type.String({ format: 'uuid', description: 'Only this agent' }))
}, { $id: 'AgentActivityQuery', additionalProperties: false })
export type AgentActivityQuery = Static<typeof AgentActivityQuery>

const Period = Type.Object({ from: Day, to: Day })
const AggregatedThrough = Type.Union([Day, Type.Null()], { description: 'The last complete UTC day rolled up; later days read as zero until aggregated' })

export const UsageSummary = Type.Object({
  tenantId: Type.String({ format: 'uuid' }),
  period: Period,
  aggregatedThrough: AggregatedThrough,
  summary: Type.Object({
    totalApiCalls: Type.Integer(),
    totalTokenIssuances: Type.Integer(),
    totalCredentialRotations: Type.Integer(),
    totalDelegations: Type.Integer(),
    activeAgentCount: Type.Integer(),
    averageDailyApiCalls: Type.Number(),
    peakDailyApiCalls: Type.Integer(),
    peakDate: Type.Union([Day, Type.Null()])
  })
}, { $id: 'UsageSummary' })
export type UsageSummary = Static<typeof UsageSummary>

export const AgentActivity = Type.Object({
  tenantId: Type.String({ format: 'uuid' }),
  period: Period,
  aggregatedThrough: AggregatedThrough,
  metric: Type.Literal('api_call'),
  days: Type.Array(Day, { description: 'The columns of the matrix' }),
  agents: Type.Array(Type.Object({
    agentId: Type.String({ format: 'uuid' }),
    counts: Type.Array(Type.Integer(), { description: 'One count per entry of `days`' }),
    total: Type.Integer()
  }), { description: 'The rows of the matrix: agents with activity in the period, busiest first' })
}, { $id: 'AgentActivity' })
export type AgentActivity = Static<typeof AgentActivity>

export const TokenTrends = Type.Object({
  tenantId: Type.String({ format: 'uuid' }),
  period: Period,
  aggregatedThrough: AggregatedThrough,
  data: Type.Array(Type.Object({ date: Day, tokensIssued: Type.Integer(), credentialRotations: Type.Integer() }),
    { description: 'One entry per day of the period, zero days included' })
}, { $id: 'TokenTrends' })
export type TokenTrends = Static<typeof TokenTrends>
