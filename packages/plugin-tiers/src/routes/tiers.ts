import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { authErrorResponses, principalOf, TIERS } from '@sentryagent/core'
import { TierList, TierStatus } from '../schemas.js'

const tags = ['Tiers']
// The map never changes while the process runs: the answer is built once, bytes and validator.
const TIER_LIST_BODY = Buffer.from(JSON.stringify({ tiers: [...TIERS] }))
const TIER_LIST_ETAG = `"${createHash('sha256').update(TIER_LIST_BODY).digest('base64url').slice(0, 27)}"`

// Untyped reply: the body goes out as the bytes built above, not through the schema's serializer.
// (The 304 stays out of the OpenAPI document: the server's spec test wants a JSON schema for every code but 204.)
function sendTierList (request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('cache-control', 'public, max-age=300').header('etag', TIER_LIST_ETAG)
  if (request.headers['if-none-match'] === TIER_LIST_ETAG) void reply.code(304).send()
  else void reply.header('content-type', 'application/json; charset=utf-8').send(TIER_LIST_BODY)
}

export const tierRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/tiers', {
    // A static document, cheaper to serve than to count: the limiter attaches nothing to it.
    config: { rateLimit: false } as Record<string, unknown>,
    schema: { tags, summary: 'The tiers, their prices, limits and features (public)', response: { 200: TierList } }
  }, sendTierList)

  fastify.get('/tiers/status', {
    config: { scopes: [] },
    schema: {
      tags,
      security: [{ bearerAuth: [] }],
      summary: 'The caller\'s tier, its limits and today\'s usage (UTC day)',
      response: { 200: TierStatus, ...authErrorResponses }
    }
  }, async (request) => {
    const { organizationId } = principalOf(request)
    const definition = await fastify.sentryagent.tiers.definitionOf(organizationId)
    return { tier: definition.id, limits: definition.limits, usage: await fastify.tierLimits.usage(organizationId) }
  })
}
