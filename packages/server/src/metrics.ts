import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, type Registry } from 'prom-client'
import { METRIC_PREFIX, histogram } from '@sentryagent/core'

/**
 * Serves the app's own registry at /metrics (one registry per app, never prom-client's
 * global one) and times every request by route pattern, not raw URL, to bound cardinality.
 */
const metricsPlugin: FastifyPluginAsync<{ registry: Registry }> = async (fastify, { registry }) => {
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX })
  const duration = histogram(registry, 'http_request_duration_seconds', 'HTTP request duration', ['method', 'route', 'status_code'])

  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url
    if (route !== '/metrics') duration.observe({ method: request.method, route: route ?? 'unmatched', status_code: reply.statusCode }, reply.elapsedTime / 1000)
    done()
  })

  // Scrapes come from the infrastructure: never rate limited.
  fastify.get('/metrics', { config: { rateLimit: false }, schema: { hide: true } }, async (_request, reply) => {
    return reply.header('content-type', registry.contentType).send(await registry.metrics())
  })
}

// Not encapsulated: the timing hook must see every route of the app, not only /metrics.
export const metricsRoutes = fp(metricsPlugin, { name: 'sentryagent-metrics' })
