import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { PLATFORM_SCOPES } from '@sentryagent/core'

export interface ApiDocsOptions { publicUrl: string, apiPrefix: string, version: string }

/**
 * OpenAPI 3.1 generated from the routes' TypeBox schemas, served at /openapi.json, and a
 * Swagger UI explorer at /docs from the package's own assets (works offline, no telemetry).
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
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, index) => typeof json.$id === 'string' ? json.$id : `def-${index}` }
  })
  fastify.get('/openapi.json', { schema: { hide: true } }, async () => fastify.swagger())
  await fastify.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { validatorUrl: null, persistAuthorization: false, tryItOutEnabled: true, displayRequestDuration: true },
    initOAuth: { clientId: '', scopes: [] }
  })
}

// Not encapsulated: the spec generator must see every route of the app.
export const apiDocs = fp(apiDocsPlugin, { name: 'sentryagent-api-docs' })
