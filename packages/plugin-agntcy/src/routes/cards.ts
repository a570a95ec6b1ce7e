import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse, authErrorResponses, sentryErrorHandler } from '@sentryagent/core'
import { Type } from 'typebox'
import { AgentCard } from '../agent-card-schema.js'
import { matchesEtag, type CardService } from '../card-service.js'

const CardParams = Type.Object({ agentId: Type.String({ format: 'uuid' }) }, { $id: 'AgentCardParams' })
// No schema type: a 304 has no body at all (a serialized `null` would announce content-length 4 and send none).
const NotModified = Type.Unsafe<void>({ description: 'No body: the card is unchanged since the ETag given in If-None-Match' })

export const cardRoutes: FastifyPluginAsyncTypebox<{ cards: CardService }> = async (fastify, { cards }) => {
  fastify.setErrorHandler(sentryErrorHandler)

  const route = {
    // Public agents' cards are served without a token; a token, when sent, is checked as usual.
    config: { scopes: ['agents:read'], optionalAuthentication: true },
    schema: {
      tags: ['AGNTCY'],
      // Either a bearer token or none (OpenAPI's empty requirement): public cards need none.
      security: [{ bearerAuth: [] }, {}],
      description: 'A public agent\'s card (isPublic) is served without a token too; a token, when sent, is verified.',
      summary: 'The agent\'s A2A v1.0 agent card (public agents: no token needed); ETag / If-None-Match',
      params: CardParams,
      response: { 200: AgentCard, 304: NotModified, 404: ErrorResponse, 409: ErrorResponse, ...authErrorResponses }
    }
  }
  for (const url of ['/agents/:agentId/agent-card', '/agents/:agentId/.well-known/agent-card.json']) {
    fastify.get(url, route, async (request, reply) => {
      const served = await cards.serve(request.params.agentId, request.principal)
      void reply.header('etag', served.etag).header('cache-control', served.cacheControl)
      if (matchesEtag(request.headers['if-none-match'], served.etag)) return reply.code(304).send()
      // Serialized (and hashed) once per agent version: a JSON string is sent as is, not re-serialized.
      return reply.type('application/json; charset=utf-8').send(served.body as unknown as AgentCard)
    })
  }
}
