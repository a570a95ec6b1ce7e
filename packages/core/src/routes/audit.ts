import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AuditList, AuditQuery, AuditVerification } from '../schemas/audit.js'
import { authErrorResponses } from '../schemas/common.js'
import { principalOf } from '../auth/auth-hook.js'

const tags = ['Audit']
const security = [{ bearerAuth: [] }]

export const auditRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { audit } = fastify.sentryagent

  fastify.get('/audit', {
    config: { scopes: ['audit:read'] },
    schema: { tags, security, summary: 'Audit events of the organization, newest first', querystring: AuditQuery, response: { 200: AuditList, ...authErrorResponses } }
  }, async (request) => {
    const { events: data, total } = await audit.list(principalOf(request).organizationId, request.query)
    return { data, page: request.query.page, limit: request.query.limit, total }
  })

  fastify.get('/audit/verify', {
    config: { scopes: ['audit:read'] },
    schema: { tags, security, summary: 'Recompute the organization\'s audit hash chain', response: { 200: AuditVerification, ...authErrorResponses } }
  }, async (request) => audit.verify(principalOf(request).organizationId))
}
