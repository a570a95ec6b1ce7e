import type { FastifyInstance } from 'fastify'
import helmet from '@fastify/helmet'
import cors from '@fastify/cors'

// What a browser calling the API from another origin needs to send and to read.
const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE']
const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'X-Request-Id']
const CORS_EXPOSED_HEADERS = [
  'x-request-id', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'ratelimit-policy', 'ratelimit'
]
// Browsers cap this (Chromium at 2 h); it only spares repeated preflights.
const PREFLIGHT_MAX_AGE_SECONDS = 600

export interface SecurityHeadersOptions {
  publicUrl: string
  /** Exact origins allowed to call the API from a browser; empty: no CORS headers at all. */
  corsOrigins: string[]
}

/**
 * Strict headers on every response: the API answers JSON that nothing should render, frame or
 * sniff. HTML pages (/docs, /dashboard) replace the default-src 'none' policy with their own,
 * set later on the reply, which wins over the one helmet put on the raw response.
 * Registered before every route and before the other onRequest hooks, so that errors, 404s and
 * the shutdown 503 carry the headers too.
 */
export async function registerSecurityHeaders (app: FastifyInstance, { publicUrl, corsOrigins }: SecurityHeadersOptions): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Only where browsers reach the server over TLS: on plain http the header is ignored, and it
    // would pin localhost to https for a developer's browser.
    strictTransportSecurity: publicUrl.startsWith('https:') ? { maxAge: 31_536_000, includeSubDomains: true } : false
  })
  if (corsOrigins.length === 0) return
  await app.register(cors, {
    origin: corsOrigins,
    methods: CORS_METHODS,
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS
  })
}
