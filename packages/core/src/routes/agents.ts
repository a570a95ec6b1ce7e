import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Agent, AgentIdParams, AgentList, AgentListQuery, CreateAgentBody, UpdateAgentBody } from '../schemas/agent.js'
import { ErrorResponse, authErrorResponses } from '../schemas/common.js'
import { principalOf } from '../auth/auth-hook.js'

const tags = ['Agents']
const security = [{ bearerAuth: [] }]

export const agentRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { agents } = fastify.sentryagent

  fastify.post('/agents', {
    config: { scopes: ['agents:write'] },
    schema: { tags, security, summary: 'Register an agent', body: CreateAgentBody, response: { 201: Agent, 409: ErrorResponse, ...authErrorResponses } }
  }, async (request, reply) => {
    const { organizationId, agentId } = principalOf(request)
    return reply.status(201).send(await agents.create({ organizationId, agentId }, request.body))
  })

  fastify.get('/agents', {
    config: { scopes: ['agents:read'] },
    schema: { tags, security, summary: 'List the organization\'s agents', querystring: AgentListQuery, response: { 200: AgentList, ...authErrorResponses } }
  }, async (request) => {
    const { agents: data, total } = await agents.list(principalOf(request).organizationId, request.query)
    return { data, page: request.query.page, limit: request.query.limit, total }
  })

  fastify.get('/agents/:agentId', {
    config: { scopes: ['agents:read'] },
    schema: { tags, security, summary: 'Get an agent', params: AgentIdParams, response: { 200: Agent, 404: ErrorResponse, ...authErrorResponses } }
  }, async (request) => agents.get(principalOf(request).organizationId, request.params.agentId))

  fastify.patch('/agents/:agentId', {
    config: { scopes: ['agents:write'] },
    schema: { tags, security, summary: 'Update an agent (or suspend / reactivate it)', params: AgentIdParams, body: UpdateAgentBody, response: { 200: Agent, 404: ErrorResponse, 409: ErrorResponse, ...authErrorResponses } }
  }, async (request) => {
    const { organizationId, agentId } = principalOf(request)
    return agents.update({ organizationId, agentId }, request.params.agentId, request.body)
  })

  fastify.delete('/agents/:agentId', {
    config: { scopes: ['agents:write'] },
    schema: { tags, security, summary: 'Decommission an agent (soft delete; its tokens stop working)', params: AgentIdParams, response: { 204: Type.Null(), 404: ErrorResponse, 409: ErrorResponse, ...authErrorResponses } }
  }, async (request, reply) => {
    const { organizationId, agentId } = principalOf(request)
    await agents.decommission({ organizationId, agentId }, request.params.agentId)
    return reply.status(204).send(null)
  })
}
