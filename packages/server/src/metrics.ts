import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, type Histogram, type Registry } from 'prom-client'
import { METRIC_PREFIX, histogram } from '@sentryagent/core'

/**
 * Serves the app's own registry at /metrics (one registry per app, never prom-client's
 * global one) and times every request by route pattern, not raw URL, to bound cardinality.
 */
const metricsPlugin: FastifyPluginAsync<{ registry: Registry }> = async (fastify, { registry }) => {
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX })
  const duration = histogram(registry, 'http_request_duration_seconds', 'HTTP request duration', ['method', 'route', 'status_code'])

  // One child per method, route and status, found by a string key: prom-client would otherwise
  // hash the label object on every observation.
  const series = new Map<string, Histogram.Internal<'method' | 'route' | 'status_code'>>()
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched'
    if (route !== '/metrics') {
      const key = `${request.method} ${reply.statusCode} ${route}`
      let child = series.get(key)
      if (child === undefined) {
        child = duration.labels({ method: request.method, route, status_code: reply.statusCode })
        series.set(key, child)
      }
      child.observe(reply.elapsedTime / 1000)
    }
    done()
  })

  // Scrapes come from the infrastructure: never rate limited.
  fastify.get('/metrics', { config: { rateLimit: false }, schema: { hide: true } }, async (_request, reply) => {
    return reply.header('content-type', registry.contentType).send(await registry.metrics())
  })
}

// Not encapsulated: the timing hook must see every route of the app, not only /metrics.
export const metricsRoutes = fp(metricsPlugin, { name: 'sentryagent-metrics' })
