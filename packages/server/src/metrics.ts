import type { FastifyPluginAsync, FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify'
import { finished } from 'node:stream'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, type Registry } from 'prom-client'
import { METRIC_PREFIX } from '@sentryagent/core'
import { RequestDurations, type RouteTimer } from './request-durations.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Times the requests that matched no route, labelled `unmatched`: the not-found context's onSend hook. */
    timeUnmatched: onSendHookHandler
  }
}

// performance.now() when the app's first onRequest hook ran; 0 once the request was observed.
const STARTED = Symbol('sentryagent request started')
type Timed = FastifyRequest & { [STARTED]: number }

/**
 * Serves the app's own registry at /metrics (one registry per app, never prom-client's
 * global one) and times every request by route pattern, not raw URL, to bound cardinality.
 * Register it before the routes and before any other onRequest hook: the clock starts in the
 * app's first one, so that answers given by later hooks are timed too. Each route gets its own
 * timing hook, with its pattern bound in, so a request pays for neither `request.routeOptions`
 * nor a label lookup.
 */
const metricsPlugin: FastifyPluginAsync<{ registry: Registry }> = async (fastify, { registry }) => {
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX })
  const durations = new RequestDurations(registry)

  fastify.decorateRequest(STARTED, 0)
  fastify.addHook('onRequest', (request, _reply, done) => {
    (request as Timed)[STARTED] = performance.now()
    done()
  })
  fastify.addHook('onRoute', (route) => {
    // Scrapes come from the infrastructure: they do not time themselves.
    if (route.url === '/metrics') return
    const timeRequest = onSend(durations.timerFor(route.url))
    route.onSend = route.onSend === undefined ? [timeRequest] : [...[route.onSend].flat(), timeRequest]
  })
  fastify.decorate('timeUnmatched', onSend(durations.timerFor('unmatched')))

  fastify.get('/metrics', { config: { rateLimit: false }, schema: { hide: true } }, async (_request, reply) => {
    return reply.header('content-type', registry.contentType).send(await registry.metrics())
  })
}

/**
 * Observes when the body is handed to Node, and a streamed body once the response has ended
 * (or its client went away). Not in onResponse: Fastify listens for the end of every response
 * that has such a hook, and those two listeners cost about 2 µs a request, a tenth of a small
 * route. A request is observed once: a stream that fails sends its error through onSend again.
 */
function onSend (time: RouteTimer): onSendHookHandler {
  return (request, reply, payload, done) => {
    if (typeof (payload as { pipe?: unknown } | null)?.pipe === 'function') finished(reply.raw, () => { observe(time, request as Timed, reply) })
    else observe(time, request as Timed, reply)
    done(null, payload)
  }
}

function observe (time: RouteTimer, request: Timed, reply: FastifyReply): void {
  const started = request[STARTED]
  if (started === 0) return
  request[STARTED] = 0
  time(request.method, reply.statusCode, (performance.now() - started) / 1000)
}

// Not encapsulated: the hooks must reach every route of the app, not only /metrics.
export const metricsRoutes = fp(metricsPlugin, { name: 'sentryagent-metrics' })
