import type { FastifyPluginAsync, FastifyReply, onResponseHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, type Registry } from 'prom-client'
import { METRIC_PREFIX } from '@sentryagent/core'
import { RequestDurations, type RouteTimer } from './request-durations.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Times a request that matched no route (a 404), labelled `unmatched`: for the not-found handler. */
    timeUnmatched(reply: FastifyReply): void
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
  const unmatched = durations.timerFor('unmatched')
  fastify.decorate('timeUnmatched', (reply: FastifyReply) => {
    // Fastify's own listener, added when the request arrived, has stopped the reply's clock by then.
    reply.raw.once('finish', () => { unmatched(reply.request.method, reply.statusCode, reply.elapsedTime / 1000) })
  })

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
