import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import type { TokenService } from '../services/token-service.js'
import type { AuditLog } from '../services/audit-log.js'
import type { UsageRecorder } from '../services/usage-counter.js'
import type { Principal } from './principal.js'
import { ForbiddenError, UnauthorizedError } from '../errors.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * With `scopes`: a request without an Authorization header reaches the handler
     * unauthenticated (`request.principal` null); one with a header is checked as usual.
     * For routes that are public for some resources and tenant-scoped for others.
     */
    optionalAuthentication?: boolean
  }
}

// RFC 7235 §2.1: the scheme name is case-insensitive.
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i

function challenge (reply: FastifyReply, error: string): void {
  void reply.header('www-authenticate', `Bearer realm="sentryagent", error="${error}"`)
}

/**
 * Authenticates a route that declares `config.scopes` (all of them required; the plugin
 * attaches it to those routes only). Sets `request.principal` and counts the call for usage
 * analytics.
 */
export function createAuthHook (tokens: TokenService, audit: AuditLog, usage: UsageRecorder): onRequestAsyncHookHandler {
  return async function authenticate (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const required = request.routeOptions.config.scopes ?? []
    if (request.headers.authorization === undefined && request.routeOptions.config.optionalAuthentication === true) return
    const match = BEARER.exec(request.headers.authorization ?? '')
    if (match === null) {
      challenge(reply, 'invalid_request')
      throw new UnauthorizedError('A bearer access token is required')
    }
    let principal: Principal
    try {
      principal = await tokens.authenticate(match[1]!)
    } catch (error) {
      if (error instanceof UnauthorizedError) challenge(reply, 'invalid_token')
      throw error
    }
    request.principal = principal
    usage.increment(principal.organizationId, principal.agentId, 'api_call')
    const missing = required.filter((scope) => !principal.scopes.has(scope))
    if (missing.length > 0) {
      challenge(reply, 'insufficient_scope')
      await audit.record({ organizationId: principal.organizationId, agentId: principal.agentId, action: 'auth.forbidden', outcome: 'failure', details: { route: request.routeOptions.url, missingScopes: missing } })
      throw new ForbiddenError(`Missing scope: ${missing.join(' ')}`)
    }
  }
}

/** The principal of an authenticated route (its hook has run). */
export function principalOf (request: FastifyRequest): Principal {
  if (request.principal === null) throw new UnauthorizedError('A bearer access token is required')
  return request.principal
}
