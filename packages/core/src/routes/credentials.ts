import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AgentIdParams } from '../schemas/agent.js'
import { CreateCredentialBody, CredentialList, CredentialListQuery, CredentialParams, CredentialWithSecret } from '../schemas/credential.js'
import { ErrorResponse, authErrorResponses } from '../schemas/common.js'
import { principalOf } from '../auth/auth-hook.js'
import { ValidationError } from '../errors.js'
import { requestInstant } from '../instants.js'

const tags = ['Credentials']
const security = [{ bearerAuth: [] }]

export const credentialRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { credentials, clock } = fastify.sentryagent

  fastify.post('/agents/:agentId/credentials', {
    config: { scopes: ['agents:write'] },
    // A POST without a body asks for the defaults; an object schema alone would refuse it.
    preValidation: async (request) => { request.body ??= {} },
    schema: { tags, security, summary: 'Create a credential; the client secret is returned only now', params: AgentIdParams, body: CreateCredentialBody, response: { 201: CredentialWithSecret, 404: ErrorResponse, 409: ErrorResponse, ...authErrorResponses } }
  }, async (request, reply) => {
    const { organizationId, agentId } = principalOf(request)
    const expiresAt = request.body.expiresAt === undefined ? null : requestInstant('expiresAt', request.body.expiresAt)
    if (expiresAt !== null && expiresAt <= clock.now()) throw new ValidationError('expiresAt must be in the future')
    const created = await credentials.create({ organizationId, agentId }, request.params.agentId, expiresAt)
    return reply.status(201).header('cache-control', 'no-store').send(created)
  })

  fastify.get('/agents/:agentId/credentials', {
    config: { scopes: ['agents:read'] },
    schema: { tags, security, summary: 'List an agent\'s credentials (never their secrets)', params: AgentIdParams, querystring: CredentialListQuery, response: { 200: CredentialList, 404: ErrorResponse, ...authErrorResponses } }
  }, async (request) => {
    const { page, limit } = request.query
    const { credentials: data, total } = await credentials.list(principalOf(request).organizationId, request.params.agentId, page, limit)
    return { data, page, limit, total }
  })

  fastify.post('/agents/:agentId/credentials/:credentialId/rotate', {
    config: { scopes: ['agents:write'] },
    schema: { tags, security, summary: 'Rotate: revoke this credential and issue its successor', params: CredentialParams, response: { 200: CredentialWithSecret, 404: ErrorResponse, 409: ErrorResponse, ...authErrorResponses } }
  }, async (request, reply) => {
    const { organizationId, agentId } = principalOf(request)
    const rotated = await credentials.rotate({ organizationId, agentId }, request.params.agentId, request.params.credentialId)
    return reply.header('cache-control', 'no-store').send(rotated)
  })

  fastify.delete('/agents/:agentId/credentials/:credentialId', {
    config: { scopes: ['agents:write'] },
    schema: { tags, security, summary: 'Revoke a credential (idempotent)', params: CredentialParams, response: { 204: Type.Null(), 404: ErrorResponse, 409: ErrorResponse, ...authErrorResponses } }
  }, async (request, reply) => {
    const { organizationId, agentId } = principalOf(request)
    await credentials.revoke({ organizationId, agentId }, request.params.agentId, request.params.credentialId)
    return reply.status(204).send(null)
  })
}
