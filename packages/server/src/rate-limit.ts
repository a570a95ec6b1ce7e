import type { FastifyRequest } from 'fastify'
import type { RateLimitPluginOptions } from '@fastify/rate-limit'
import type { Cluster, Redis } from 'ioredis'

/** A tenant when authenticated, else the client address. */
function rateLimitKey (request: FastifyRequest): string {
  return request.principal === null ? `ip:${request.ip}` : `org:${request.principal.organizationId}`
}

/**
 * The flat limiter: one limit for every tenant, global across instances through Redis.
 * It runs after authentication (preHandler) so that it can key by tenant.
 */
export function flatRateLimitOptions (perMinute: number, redis: Redis | Cluster | undefined): RateLimitPluginOptions {
  return {
    global: true,
    hook: 'preHandler',
    max: perMinute,
    timeWindow: 60_000,
    keyGenerator: rateLimitKey,
    nameSpace: 'rate_limit:',
    ...(redis === undefined ? {} : { redis }),
    // A Redis outage must not take the API down with it.
    skipOnError: true,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `Rate limit of ${context.max} requests per minute exceeded`,
      details: { limit: context.max, window: '1m', retryAfter: Math.ceil(context.ttl / 1000) }
    })
  }
}
