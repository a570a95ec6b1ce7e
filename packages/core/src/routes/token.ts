import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyError } from 'fastify'
import formBody from '@fastify/formbody'
import { Type } from 'typebox'
import { IntrospectionResponse, TokenOnlyRequest, TokenRequest, TokenResponse } from '../schemas/token.js'
import { ErrorResponse, OAuthErrorResponse, authErrorResponses } from '../schemas/common.js'
import { principalOf } from '../auth/auth-hook.js'
import { sentryErrorHandler } from '../error-handler.js'
import { OAuthError } from '../errors.js'
import { readClientCredentials } from '../auth/client-credentials.js'

const tags = ['Tokens']
const security = [{ bearerAuth: [] }]
const BODY_LIMIT = 16 * 1024

export const tokenRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { tokens, grants } = fastify.sentryagent
  await fastify.register(formBody, { bodyLimit: BODY_LIMIT })
  // The token endpoints speak RFC 6749 errors: a body that fails to parse or validate is `invalid_request`.
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.statusCode === 400 && !(error instanceof OAuthError) && request.routeOptions.url?.endsWith('/token') === true) {
      const description = error.validation === undefined ? 'Request body is not valid' : error.message
      return sentryErrorHandler(new OAuthError('invalid_request', description) as unknown as FastifyError, request, reply)
    }
    return sentryErrorHandler(error, request, reply)
  })

  grants.set('client_credentials', async (request, body) => {
    const { clientId, clientSecret } = readClientCredentials(request, body)
    return tokens.issueForClient(clientId, clientSecret, body.scope)
  })

  const tokenRoute = {
    bodyLimit: BODY_LIMIT,
    schema: {
      tags,
      summary: 'OAuth 2.0 token endpoint (client_credentials; form or JSON; Basic or body client auth)',
      body: TokenRequest,
      response: { 200: TokenResponse, 400: OAuthErrorResponse, 401: OAuthErrorResponse, 429: ErrorResponse, 413: ErrorResponse, 503: ErrorResponse }
    }
  }
  for (const url of ['/token', '/oauth2/token']) {
    fastify.post(url, tokenRoute, async (request, reply) => {
      const grant = grants.get(request.body.grant_type)
      if (grant === undefined) throw new OAuthError('unsupported_grant_type', `Grant type ${request.body.grant_type} is not supported`)
      const token = await grant(request, request.body)
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(token)
    })
  }

  fastify.post('/token/introspect', {
    bodyLimit: BODY_LIMIT,
    config: { scopes: ['tokens:read'] },
    schema: { tags, security, summary: 'RFC 7662 token introspection (tokens of the caller\'s organization)', body: TokenOnlyRequest, response: { 200: IntrospectionResponse, ...authErrorResponses, 413: ErrorResponse } }
  }, async (request) => tokens.introspect(request.body.token, principalOf(request).organizationId))

  fastify.post('/token/revoke', {
    bodyLimit: BODY_LIMIT,
    config: { scopes: [] },
    schema: { tags, security, summary: 'RFC 7009 token revocation (own tokens, or any of the organization\'s with admin:orgs)', body: TokenOnlyRequest, response: { 200: Type.Object({}), ...authErrorResponses, 413: ErrorResponse } }
  }, async (request) => {
    await tokens.revoke(request.body.token, principalOf(request))
    return {}
  })
}
