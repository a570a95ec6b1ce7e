import type { FastifyPluginAsync, onResponseHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, type Registry } from 'prom-client'
import { METRIC_PREFIX } from '@sentryagent/core'
import { RequestDurations, type RouteTimer } from './request-durations.js'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Times the requests that matched no route, labelled `unmatched`: the not-found context's
     * own onResponse hook (its presence is also what starts Fastify's clock for them).
     */
    timeUnmatched: onResponseHookHandler
  }
}

/**
 * Serves the app's own registry at /metrics (one registry per app, never prom-client's
 * global one) and times every request by route pattern, not raw URL, to bound cardinality.
 * Register it before the routes: each route gets its own timing hook, with its pattern bound
 * in, so a request pays for neither `request.routeOptions` nor a label lookup.
 */
const metricsPlugin: FastifyPluginAsync<{ registry: Registry }> = async (fastify, { registry }) => {
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX })
  const durations = new RequestDurations(registry)

  fastify.addHook('onRoute', (route) => {
    // Scrapes come from the infrastructure: they do not time themselves.
    if (route.url === '/metrics') return
    const timeRequest = onResponse(durations.timerFor(route.url))
    route.onResponse = route.onResponse === undefined ? [timeRequest] : [...[route.onResponse].flat(), timeRequest]
  })
  fastify.decorate('timeUnmatched', onResponse(durations.timerFor('unmatched')))

  fastify.get('/metrics', { config: { rateLimit: false }, schema: { hide: true } }, async (_request, reply) => {
    return reply.header('content-type', registry.contentType).send(await registry.metrics())
  })
}

function onResponse (time: RouteTimer): onResponseHookHandler {
  return (request, reply, done) => {
    time(request.method, reply.statusCode, reply.elapsedTime / 1000)
    done()
  }
}

// Not encapsulated: the hooks must reach every route of the app, not only /metrics.
export const metricsRoutes = fp(metricsPlugin, { name: 'sentryagent-metrics' })
