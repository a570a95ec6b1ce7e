import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyError, FastifyRequest } from 'fastify'
import formBody from '@fastify/formbody'
import { Type } from 'typebox'
import { IntrospectionResponse, TokenOnlyRequest, TokenRequest, TokenResponse } from '../schemas/token.js'
import { ErrorResponse, OAuthErrorResponse, authErrorResponses } from '../schemas/common.js'
import { principalOf } from '../auth/auth-hook.js'
import { sentryErrorHandler } from '../error-handler.js'
import { OAuthError } from '../errors.js'

const tags = ['Tokens']
const security = [{ bearerAuth: [] }]
const BODY_LIMIT = 16 * 1024

interface ClientCredentials { clientId: string, clientSecret: string }

/** RFC 6749 §2.3.1: HTTP Basic (form-urlencoded parts) or the request body, not both. */
function clientCredentials (request: FastifyRequest, body: TokenRequest): ClientCredentials {
  // RFC 7235 §2.1: the scheme name is case-insensitive.
  const basic = /^Basic (.*)$/i.exec(request.headers.authorization ?? '')
  if (basic !== null) {
    if (body.client_secret !== undefined) throw new OAuthError('invalid_request', 'Use one client authentication method')
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8')
    const separator = decoded.indexOf(':')
    if (separator < 0) throw new OAuthError('invalid_client', 'Malformed Basic credentials')
    try {
      return { clientId: decodeURIComponent(decoded.slice(0, separator)), clientSecret: decodeURIComponent(decoded.slice(separator + 1)) }
    } catch {
      throw new OAuthError('invalid_client', 'Malformed Basic credentials')
    }
  }
  if (body.client_id === undefined || body.client_secret === undefined) {
    throw new OAuthError('invalid_client', 'Client authentication is required')
  }
  return { clientId: body.client_id, clientSecret: body.client_secret }
}

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
    const { clientId, clientSecret } = clientCredentials(request, body)
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
    schema: { tags, security, summary: 'RFC 7662 token introspection (tokens of the caller\'s organization)', body: TokenOnlyRequest, response: { 200: IntrospectionResponse, ...authErrorResponses } }
  }, async (request) => tokens.introspect(request.body.token, principalOf(request).organizationId))

  fastify.post('/token/revoke', {
    bodyLimit: BODY_LIMIT,
    config: { scopes: [] },
    schema: { tags, security, summary: 'RFC 7009 token revocation (own tokens, or any of the organization\'s with admin:orgs)', body: TokenOnlyRequest, response: { 200: Type.Object({}), ...authErrorResponses } }
  }, async (request) => {
    await tokens.revoke(request.body.token, principalOf(request))
    return {}
  })
}
