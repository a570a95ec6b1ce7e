import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse, authErrorResponses, principalOf, sentryErrorHandler } from '@sentryagent/core'
import type { ScaffoldService } from '../service.js'
import { ScaffoldParams, ScaffoldQuery, ScaffoldZip } from '../schemas.js'

const tags = ['Scaffold']
const security = [{ bearerAuth: [] }]

export interface ScaffoldRouteOptions {
  service: ScaffoldService
  downloadsPerMinute: number
}

export const scaffoldRoutes: FastifyPluginAsyncTypebox<ScaffoldRouteOptions> = async (fastify, { service, downloadsPerMinute }) => {
  fastify.setErrorHandler(sentryErrorHandler)

  // The scope of core's GET /agents/{agentId}, which the starter's own call needs too.
  // `rateLimit` is read by both the flat limiter (@fastify/rate-limit) and the tier limiter.
  const config = { scopes: ['agents:read'], rateLimit: { max: downloadsPerMinute, timeWindow: '1 minute' } }

  fastify.get('/sdk/scaffold/:agentId', {
    config,
    schema: {
      tags,
      security,
      summary: `Download a ready-to-run starter project for one of the organization's agents (ZIP; ${downloadsPerMinute} per minute per organization)`,
      params: ScaffoldParams,
      querystring: ScaffoldQuery,
      response: {
        200: { description: 'The starter project', content: { 'application/zip': { schema: ScaffoldZip } } },
        404: ErrorResponse,
        ...authErrorResponses
      }
    }
  }, async (request, reply) => {
    const { fileName, archive } = await service.download(principalOf(request), request.params.agentId, request.query.language)
    return reply
      .type('application/zip')
      .header('content-disposition', `attachment; filename="${fileName}"`)
      .header('cache-control', 'no-store')
      .send(archive)
  })
}
