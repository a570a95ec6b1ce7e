import type { FastifyInstance } from 'fastify'
import cors from '@fastify/cors'

// What a browser calling the API from another origin needs to send and to read.
const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE']
const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'X-Request-Id']
const CORS_EXPOSED_HEADERS = [
  'x-request-id', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'ratelimit-policy', 'ratelimit'
]
// Browsers cap this (Chromium at 2 h); it only spares repeated preflights.
const PREFLIGHT_MAX_AGE_SECONDS = 600

/**
 * The headers a JSON API needs, after OWASP's REST Security Cheat Sheet: nothing it answers
 * should be rendered, framed, sniffed or read by another origin's page. Helmet's other defaults
 * (COOP, Origin-Agent-Cluster, X-DNS-Prefetch-Control, X-Download-Options,
 * X-Permitted-Cross-Domain-Policies, X-XSS-Protection) only concern HTML documents, legacy
 * browsers or plugins, and each header is work on every response.
 */
export function strictHeaders (publicUrl: string): Record<string, string> {
  return {
    'content-security-policy': "default-src 'none';frame-ancestors 'none'",
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    // Only where browsers reach the server over TLS: on plain http the header is ignored, and it
    // would pin localhost to https for a developer's browser.
    ...(publicUrl.startsWith('https:') ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY'
  }
}

/**
 * CORS for the origins listed, none otherwise. The strict headers are set by the server's
 * first onRequest hook, so that errors, 404s and the shutdown 503 carry them too; HTML pages
 * (/docs, /dashboard) replace the default-src 'none' policy with their own, later on the reply.
 */
export async function registerCors (app: FastifyInstance, corsOrigins: string[]): Promise<void> {
  if (corsOrigins.length === 0) return
  await app.register(cors, {
    origin: corsOrigins,
    methods: CORS_METHODS,
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS
  })
}
