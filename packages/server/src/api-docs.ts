import type { FastifyPluginAsync, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import apiReference from '@scalar/fastify-api-reference'
import { PLATFORM_SCOPES } from '@sentryagent/core'
import { completeDocument } from './openapi-completion.js'

export interface ApiDocsOptions { publicUrl: string, apiPrefix: string, version: string }

/**
 * OpenAPI 3.1 generated from the routes' TypeBox schemas, served at /openapi.json (and .yaml), and the Scalar
 * explorer at /docs from the package's own assets: no CDN, no fonts from elsewhere, no telemetry,
 * no request proxy (the browser calls this server directly), so it works offline.
 * Must be registered before the routes it documents.
 */
const apiDocsPlugin: FastifyPluginAsync<ApiDocsOptions> = async (fastify, { publicUrl, apiPrefix, version }) => {
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'SentryAgent API',
        version,
        description: 'Identity and authorization for AI agents: registry, credentials, OAuth 2.0 tokens, audit, delegation, analytics, tiers.'
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          clientCredentials: {
            type: 'oauth2',
            flows: { clientCredentials: { tokenUrl: `${publicUrl}${apiPrefix}/token`, scopes: Object.fromEntries(PLATFORM_SCOPES.map((scope) => [scope, scope])) } }
          }
        }
      }
    },
    // Schemas with an $id become named components.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, index) => typeof json.$id === 'string' ? json.$id : `def-${index}` },
    transformObject: (documents) => 'openapiObject' in documents ? completeDocument(documents.openapiObject) : documents.swaggerObject
  })
  fastify.get('/openapi.json', { schema: { hide: true } }, async () => fastify.swagger())
  fastify.get('/openapi.yaml', { schema: { hide: true } }, async (_request, reply) => reply.type('application/yaml').send(fastify.swagger({ yaml: true })))
  await fastify.register(apiReference, {
    routePrefix: '/docs',
    logLevel: 'warn',
    hooks: { onRequest: explorerPolicy(publicUrl) },
    configuration: {
      url: '/openapi.json',
      title: 'SentryAgent API',
      pageTitle: 'SentryAgent API',
      telemetry: false,
      withDefaultFonts: false,
      agent: { disabled: true },
      showDeveloperTools: 'never',
      persistAuth: false,
      authentication: { preferredSecurityScheme: 'clientCredentials' }
    }
  })
}

/**
 * The browser enforces what the configuration promises: scripts, styles, fonts and requests come
 * from this server only (and from the public URL, where the token endpoint lives).
 */
function explorerPolicy (publicUrl: string): onRequestHookHandler {
  const policy = [
    "default-src 'self'",
    // Scalar boots from an inline script and injects its styles at runtime.
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${new URL(publicUrl).origin}`,
    "worker-src 'self' blob:"
  ].join('; ')
  return (_request, reply, done) => {
    void reply.header('content-security-policy', policy)
    done()
  }
}

// Not encapsulated: the spec generator must see every route of the app.
export const apiDocs = fp(apiDocsPlugin, { name: 'sentryagent-api-docs' })
