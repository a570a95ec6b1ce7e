import type { FastifyRequest } from 'fastify'
import type { RouteLimit } from './service.js'
import { parseDuration } from './windows.js'

type RouteOptions = Pick<FastifyRequest['routeOptions'], 'config' | 'url'>

/**
 * A route's own limit, declared as @fastify/rate-limit reads it so that a route carries one
 * setting whichever limiter runs: `config: { rateLimit: { max: 10, timeWindow: '1 minute' } }`,
 * or `rateLimit: false` for none.
 */
interface RouteRateLimitConfig { rateLimit?: false | { max?: unknown, timeWindow?: unknown } }

const NO_OVERRIDE = Symbol('no route override')
const parsed = new WeakMap<object, RouteLimit | false | typeof NO_OVERRIDE>()

/** A route declared `config.rateLimit: false`: the limiter attaches nothing to it. */
export function declaresNoLimit (config: unknown): boolean {
  return (config as RouteRateLimitConfig | undefined)?.rateLimit === false
}

/**
 * false: the route isn't limited; undefined: the tier's limits apply. Parsed once per route;
 * takes `request.routeOptions` read once by the caller (each read builds a new object).
 */
export function routeLimitOf (method: string, route: RouteOptions): RouteLimit | false | undefined {
  const config = route.config as RouteRateLimitConfig
  let limit = parsed.get(config)
  if (limit === undefined) {
    limit = parse(config, `${method} ${route.url ?? ''}`)
    parsed.set(config, limit)
  }
  return limit === NO_OVERRIDE ? undefined : limit
}

function parse (config: RouteRateLimitConfig, route: string): RouteLimit | false | typeof NO_OVERRIDE {
  if (config.rateLimit === false) return false
  const max = config.rateLimit?.max
  const windowMs = parseDuration(config.rateLimit?.timeWindow ?? 60_000)
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || windowMs === undefined) return NO_OVERRIDE
  return { route, max, windowMs }
}
