import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AgentIdParams } from '../schemas/agent.js'
import { ErrorResponse, authErrorResponses } from '../schemas/common.js'
import { PLATFORM_SCOPES } from '../auth/principal.js'

const JsonDocument = Type.Record(Type.String(), Type.Unknown())
const CACHE_PUBLIC = 'public, max-age=300'

/** Discovery documents, served at the host root. */
export const wellKnownRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { keys, dids, options, grants } = fastify.sentryagent
  const base = options.publicUrl
  const api = `${base}${options.prefix}`
  // Grants are read per request: plugins registered later add theirs (token exchange).
  const metadata = () => ({
    issuer: base,
    token_endpoint: `${api}/token`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    introspection_endpoint: `${api}/token/introspect`,
    revocation_endpoint: `${api}/token/revoke`,
    grant_types_supported: [...grants.keys()],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    introspection_endpoint_auth_methods_supported: ['bearer'],
    revocation_endpoint_auth_methods_supported: ['bearer'],
    response_types_supported: ['token'],
    scopes_supported: [...PLATFORM_SCOPES],
    service_documentation: `${base}/docs`
  })
  const oidc = () => ({
    ...metadata(),
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [keys.algorithm],
    token_endpoint_auth_signing_alg_values_supported: [keys.algorithm],
    claims_supported: ['iss', 'sub', 'client_id', 'organization_id', 'scope', 'jti', 'iat', 'exp']
  })
  const jwks = { keys: [keys.publicJwk] }
  const schema = (summary: string) => ({ tags: ['Discovery'], summary, response: { 200: JsonDocument } })

  fastify.get('/.well-known/jwks.json', { schema: schema('JSON Web Key Set of the token-signing key') },
    async (_request, reply) => reply.header('cache-control', CACHE_PUBLIC).send(jwks))
  fastify.get('/.well-known/oauth-authorization-server', { schema: schema('RFC 8414 authorization server metadata') },
    async (_request, reply) => reply.header('cache-control', CACHE_PUBLIC).send(metadata()))
  fastify.get('/.well-known/openid-configuration', { schema: schema('OpenID Connect discovery') },
    async (_request, reply) => reply.header('cache-control', CACHE_PUBLIC).send(oidc()))
  fastify.get('/.well-known/did.json', { schema: schema('did:web document of this instance') },
    async (_request, reply) => reply.header('cache-control', CACHE_PUBLIC).send(dids.instance()))
}

/**
 * Per-agent DID documents, under the API prefix. `did.json` is where a did:web resolver looks
 * for `did:web:host:…:agents:{agentId}`; a public agent's document needs no token there.
 */
export const didRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { dids, agents } = fastify.sentryagent
  const route = {
    config: { scopes: ['agents:read'], optionalAuthentication: true },
    schema: {
      tags: ['Agents'],
      // Either a bearer token or none (OpenAPI's empty requirement): public agents need none.
      security: [{ bearerAuth: [] }, {}],
      summary: 'did:web document of an agent (its credentials\' Ed25519 keys); public agents: no token needed',
      params: AgentIdParams,
      response: { 200: JsonDocument, 404: ErrorResponse, ...authErrorResponses }
    }
  }
  for (const url of ['/agents/:agentId/did', '/agents/:agentId/did.json']) {
    fastify.get(url, route, async (request) => {
      return dids.of(await agents.visibleTo(request.params.agentId, request.principal))
    })
  }
}
