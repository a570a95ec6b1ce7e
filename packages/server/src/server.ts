import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import Fastify, { type FastifyInstance } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import { Registry } from 'prom-client'
import corePlugin, { sentryErrorHandler, sentryNotFoundHandler, type Clock } from '@sentryagent/core'
import type { ServerConfig } from './config.js'
import { openRuntime, type Runtime } from './runtime.js'
import { healthRoutes } from './health.js'
import { metricsRoutes } from './metrics.js'
import { apiDocs } from './api-docs.js'
import { flatRateLimitOptions } from './rate-limit.js'
import { tierLimits } from '@sentryagent/plugin-tiers'
import { operatorRoutes } from './operator.js'
import { registerWorkstreams } from './workstreams.js'
import { registerCors, strictHeaders } from './security-headers.js'

export const SERVER_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version

// Credentials never reach the logs, whatever a serializer or a debug line includes.
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["stripe-signature"]',
  'headers.authorization', 'body.client_secret', 'body.clientSecret', 'body.token', 'body.access_token',
  'body.subject_token', 'body.actor_token', 'clientSecret', 'client_secret', 'access_token'
]

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/
// Generated ids: this process's random prefix and a counter, unique across instances and
// restarts, and cheaper than a UUID per request.
const REQUEST_ID_PREFIX = randomBytes(9).toString('base64url')
let requestCount = 0
// Another instance can take the retry at once.
const CLOSING_RETRY_AFTER_SECONDS = 1
const CLOSING_BODY = JSON.stringify({ code: 'SERVICE_UNAVAILABLE', message: 'The server is shutting down, retry shortly' })

export interface BuildOptions {
  /** Backing services opened by the caller (tests, the CLI); otherwise opened here and closed with the app. */
  runtime?: Runtime
  clock?: Clock
  logger?: boolean | { level?: string, stream?: NodeJS.WritableStream }
}

/** Builds the app without listening: core + enabled plugins under the API prefix, plus root endpoints. */
export async function buildServer (config: ServerConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const runtime = options.runtime ?? await openRuntime(config)
  try {
    return await composeServer(config, runtime, options)
  } catch (error) {
    // No app reaches the caller to be closed, so let go of what was opened here (or the process hangs).
    if (options.runtime === undefined) await runtime.close().catch(() => {})
    throw error
  }
}

async function composeServer (config: ServerConfig, runtime: Runtime, options: BuildOptions): Promise<FastifyInstance> {
  const loggerOptions = typeof options.logger === 'object' ? options.logger : {}
  // The caller's level wins over the configured one (a test capturing trace output).
  const level = loggerOptions.level ?? config.logLevel
  const headers = strictHeaders(config.publicUrl)
  const app = Fastify({
    logger: options.logger === false || level === 'silent'
      ? false
      : { level, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' }, ...(loggerOptions.stream === undefined ? {} : { stream: loggerOptions.stream }) },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // A caller's request id is kept only when it is short and plain: it is echoed and logged.
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : `${REQUEST_ID_PREFIX}-${(++requestCount).toString(36)}`
    },
    // Requests arriving while the app closes get the answer below instead of Fastify's own
    // (a bare 503 without retry-after, in another error shape).
    return503OnClosing: false,
    // The router's refusals (a path parameter past maxParamLength, a bad escape) come before any
    // hook: answered in our shape, with the headers every other answer carries.
    frameworkErrors: (error, request, reply) => {
      void reply.headers(headers).header('x-request-id', request.id)
      sentryErrorHandler(error, request, reply)
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } }
  })
  if (options.runtime === undefined) app.addHook('onClose', async () => { await runtime.close() })
  // While closing, a request on a kept-alive connection is told to go elsewhere, as during any
  // outage: 503 with retry-after, and the connection closed so the client reconnects.
  let closing = false
  app.addHook('preClose', (done) => {
    closing = true
    done()
  })
  // Before any plugin: a plugin's routes keep the error handler in force when it was registered.
  app.setErrorHandler(sentryErrorHandler)
  const registry = new Registry()
  // Before any route and any other onRequest hook: it times the routes registered after it
  // (CORS preflights included), from its own first hook.
  await app.register(metricsRoutes, { registry })
  // First of the onRequest hooks that can answer (after the metrics clock), so that every
  // answer (errors, 404s, the shutdown 503) carries the headers; one callback-style hook,
  // because each hook and each promise costs on every request.
  app.addHook('onRequest', (request, reply, done) => {
    void reply.headers(headers).header('x-request-id', request.id)
    if (!closing) {
      done()
      return
    }
    // Sent as text: the route's own 503 schema (if any) describes another body.
    void reply.code(503).header('retry-after', String(CLOSING_RETRY_AFTER_SECONDS)).header('connection', 'close')
      .type('application/json; charset=utf-8').send(CLOSING_BODY)
  })
  // Fastify applies every lifecycle hook given here to the not-found context, though its types
  // name only preValidation and preHandler; the metrics test holds it to that.
  app.setNotFoundHandler({ onSend: app.timeUnmatched } as Parameters<typeof app.setNotFoundHandler>[0], sentryNotFoundHandler)
  await registerCors(app, config.corsOrigins)
  await app.register(apiDocs, { publicUrl: config.publicUrl, apiPrefix: config.apiPrefix, version: SERVER_VERSION })
  // Before the routes: the limiter attaches itself to routes registered after it.
  // With tiers on, the tier limiter replaces the flat one (its quotas hold even when RATE_LIMIT_ENABLED=false).
  if (config.features.tierRateLimiting) {
    await app.register(tierLimits, {
      rateLimit: config.rateLimitEnabled,
      anonymousPerMinute: config.rateLimitPerMinute,
      upgradeUrl: config.upgradeUrl ?? `${config.apiPrefix}/billing/upgrade`,
      ...(runtime.redis === undefined ? {} : { redis: runtime.redis }),
      ...(config.rateLimitRedisFailure === undefined ? {} : { redisFailure: config.rateLimitRedisFailure })
    })
  } else if (config.rateLimitEnabled) await app.register(rateLimit, flatRateLimitOptions(config.rateLimitPerMinute, runtime.redis))
  await app.register(corePlugin, {
    database: runtime.database,
    store: runtime.store,
    signingKeys: runtime.signingKeys,
    sealingKeys: config.credentialSealingKeys,
    jwtAlgorithm: config.jwtAlgorithm,
    publicUrl: config.publicUrl,
    prefix: config.apiPrefix,
    metricsRegistry: registry,
    // PGlite's socket server gives every connection the same session: a reconnect would re-prepare a name it already has.
    preparedStatements: runtime.mode === 'production',
    ...(options.clock === undefined ? {} : { clock: options.clock })
  })
  await registerWorkstreams(app, config, runtime)
  await app.register(healthRoutes, { runtime, config, version: SERVER_VERSION })
  if (runtime.mode === 'embedded') await app.register(operatorRoutes, { dataDir: config.dataDir })
  return app
}
