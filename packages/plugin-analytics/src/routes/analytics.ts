import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { authErrorResponses, ErrorResponse, principalOf } from '@sentryagent/core'
import { AgentActivity, AgentActivityQuery, AnalyticsRangeQuery, TokenTrends, UsageSummary } from '../schemas.js'
import type { AnalyticsService } from '../service.js'

const tags = ['Analytics']
const security = [{ bearerAuth: [] }]
const config = { scopes: ['analytics:read'] }

export const analyticsRoutes: FastifyPluginAsyncTypebox<{ service: AnalyticsService }> = async (fastify, { service }) => {
  fastify.get('/analytics/usage-summary', {
    config,
    schema: { tags, security, summary: 'Usage totals of the tenant over a UTC date range', querystring: AnalyticsRangeQuery, response: { 200: UsageSummary, ...authErrorResponses } }
  }, async (request) => service.usageSummary(principalOf(request).organizationId, request.query))

  fastify.get('/analytics/agent-activity', {
    config,
    schema: { tags, security, summary: 'API calls per agent and day (a heatmap matrix)', querystring: AgentActivityQuery, response: { 200: AgentActivity, ...authErrorResponses, 404: ErrorResponse } }
  }, async (request) => service.agentActivity(principalOf(request).organizationId, request.query))

  fastify.get('/analytics/token-trends', {
    config,
    schema: { tags, security, summary: 'Tokens issued and credential rotations per day, zero days included', querystring: AnalyticsRangeQuery, response: { 200: TokenTrends, ...authErrorResponses } }
  }, async (request) => service.tokenTrends(principalOf(request).organizationId, request.query))
}
