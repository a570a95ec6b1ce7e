import createError from '@fastify/error'

// API errors (UPPER_SNAKE, the platform dialect); the error handler renders `{ code, message, details }`.
export const AgentCardIncompleteError = createError<[string]>('AGENT_CARD_INCOMPLETE', 'Agent %s cannot publish a valid A2A agent card yet', 409)
export const ReportTierError = createError<[string]>('COMPLIANCE_REPORT_TIER_REQUIRED', 'The compliance report is part of the pro and enterprise tiers (this organization is on %s)', 403)

// Coded errors for invalid plugin options: thrown once at registration.
export const InvalidOptionError = createError<[string]>('SENTRYAGENT_AGNTCY_INVALID_OPTION', 'Invalid @sentryagent/plugin-agntcy option: %s', 500)
export const MissingCoreError = createError<[]>('SENTRYAGENT_AGNTCY_MISSING_CORE', '@sentryagent/plugin-agntcy needs @sentryagent/core registered first', 500)
