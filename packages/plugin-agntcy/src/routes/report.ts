import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { authErrorResponses, principalOf, sentryErrorHandler } from '@sentryagent/core'
import { ComplianceReport, ReportQuery } from '../report-schema.js'
import type { ComplianceReportService } from '../report-service.js'

export const reportRoutes: FastifyPluginAsyncTypebox<{ reports: ComplianceReportService }> = async (fastify, { reports }) => {
  fastify.setErrorHandler(sentryErrorHandler)

  fastify.get('/agntcy/compliance-report', {
    config: { scopes: ['compliance:read'] },
    schema: {
      tags: ['AGNTCY'],
      security: [{ bearerAuth: [] }],
      summary: 'Compliance report (profile sentryagent-agntcy-profile/1), computed from live state on every call; pro and enterprise tiers',
      querystring: ReportQuery,
      response: { 200: ComplianceReport, ...authErrorResponses }
    }
  }, async (request, reply) => {
    const report = await reports.generate(principalOf(request))
    return reply.header('cache-control', 'no-store').send(report)
  })
}
