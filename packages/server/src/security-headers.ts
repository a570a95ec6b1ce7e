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

export interface SecurityHeadersOptions {
  publicUrl: string
  /** Exact origins allowed to call the API from a browser; empty: no CORS headers at all. */
  corsOrigins: string[]
}

/**
 * The headers helmet's defaults send, fixed for an API: nothing it answers should be rendered,
 * framed or sniffed. One object built at start-up, because @fastify/helmet computes them per
 * request: measured here, it took a bare route from 100 % to about 58 % of its throughput, this
 * object to about 90 %.
 */
function strictHeaders (publicUrl: string): Record<string, string> {
  return {
    'content-security-policy': "default-src 'none';frame-ancestors 'none'",
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    // Only where browsers reach the server over TLS: on plain http the header is ignored, and it
    // would pin localhost to https for a developer's browser.
    ...(publicUrl.startsWith('https:') ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'DENY',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0'
  }
}

/**
 * Strict headers on every response. HTML pages (/docs, /dashboard) replace the default-src
 * 'none' policy with their own, set later on the reply. Registered before every route and
 * before the other onRequest hooks, so that errors, 404s and the shutdown 503 carry the
 * headers too.
 */
export async function registerSecurityHeaders (app: FastifyInstance, { publicUrl, corsOrigins }: SecurityHeadersOptions): Promise<void> {
  const headers = strictHeaders(publicUrl)
  // Callback style: an async hook would cost a promise on every request.
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers)
    done()
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
