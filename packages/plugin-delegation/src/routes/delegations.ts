import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse, authErrorResponses, principalOf, sentryErrorHandler } from '@sentryagent/core'
import { Type } from 'typebox'
import type { DelegationService } from '../service.js'
import { BlastRadius, ChainParams, DelegateBody, DelegationCreated, LinkSummary, RevokeQuery, VerifyBody, VerifyResult } from '../schemas.js'

const tags = ['Delegation']
const security = [{ bearerAuth: [] }]
// Delegating needs no extra scope: existing clients delegate with plain tokens.
const config = { scopes: [] }
const notFound = { 404: ErrorResponse }

export const delegationRoutes: FastifyPluginAsyncTypebox<{ service: DelegationService }> = async (fastify, { service }) => {
  fastify.setErrorHandler(sentryErrorHandler)

  fastify.post('/oauth2/token/delegate', {
    config,
    schema: {
      tags, security,
      summary: 'Delegate a subset of the caller\'s scopes to another agent, or re-delegate a link (parentDelegationToken)',
      body: DelegateBody,
      response: { 201: DelegationCreated, ...authErrorResponses, ...notFound, 409: ErrorResponse }
    }
  }, async (request, reply) => reply.status(201).send(await service.delegate(principalOf(request), request.body)))

  fastify.post('/oauth2/token/verify-delegation', {
    config,
    schema: {
      tags, security,
      summary: 'Verify a delegation token: every link\'s signature and position, revocation, expiry; explains each hop',
      body: VerifyBody,
      response: { 200: VerifyResult, ...authErrorResponses }
    }
  }, async (request) => service.verify(principalOf(request), request.body.delegationToken))

  fastify.delete('/oauth2/token/delegate/:chainId', {
    config,
    schema: {
      tags, security,
      summary: 'Revoke a link and everything downstream of it (idempotent); ?dryRun=true answers the blast radius only',
      params: ChainParams,
      querystring: RevokeQuery,
      response: { 200: BlastRadius, ...authErrorResponses, ...notFound }
    }
  }, async (request) => service.revoke(principalOf(request), request.params.chainId, request.query.dryRun))

  fastify.get('/delegations/:chainId/descendants', {
    config,
    schema: {
      tags, security,
      summary: 'Every link downstream of a link, and the agents that would lose access if it were revoked',
      params: ChainParams,
      response: {
        200: Type.Object({ chainId: Type.String({ format: 'uuid' }), data: Type.Array(LinkSummary), affectedAgentIds: Type.Array(Type.String({ format: 'uuid' })) }, { $id: 'DelegationDescendants' }),
        ...authErrorResponses,
        ...notFound
      }
    }
  }, async (request) => service.descendants(principalOf(request), request.params.chainId))
}
