import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { authErrorResponses, principalOf, TIERS } from '@sentryagent/core'
import { TierList, TierStatus } from '../schemas.js'

const tags = ['Tiers']
// The map never changes while the process runs: serialize it once.
const TIER_LIST = { tiers: [...TIERS] }
const TIER_LIST_JSON = JSON.stringify(TIER_LIST)

export const tierRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/tiers', {
    // A static document, cheaper to serve than to count.
    config: { rateLimit: false } as Record<string, unknown>,
    schema: { tags, summary: 'The tiers, their prices, limits and features (public)', response: { 200: TierList } },
    serializerCompiler: () => () => TIER_LIST_JSON
  }, async (_request, reply) => {
    void reply.header('cache-control', 'public, max-age=300')
    return TIER_LIST
  })

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
