import type { FastifyRequest } from 'fastify'
import {
  OAuthError, UnauthorizedError, readClientCredentials,
  type AuditLog, type Clock, type GrantHandler, type Principal, type SentryAgentCore, type TokenRequest
} from '@sentryagent/core'
import type { DelegationService } from './service.js'
import { nestedAct, type Link } from './link.js'

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'
export const DELEGATION_TOKEN_TYPE_URN = 'urn:sentryagent:params:oauth:token-type:delegation'

type TokenService = SentryAgentCore['tokens']

interface TokenExchangeDependencies {
  credentials: Pick<SentryAgentCore['credentials'], 'authenticate'>
  tokens: Pick<TokenService, 'authenticate' | 'mint'>
  delegations: DelegationService
  audit: AuditLog
  clock: Clock
  ttlSeconds: number
}

/** What the subject token stands for: a delegation path, the scopes it carries, an `act` to keep. */
interface Subject { path: Link[] | undefined, scopes: string[], expiresAt: number, priorAct: Record<string, unknown> | undefined }

/**
 * RFC 8693 token exchange: the authenticated client, proving itself again with its own access
 * token as `actor_token`, trades a delegation (a delegation token, or the delegator's access
 * token along a live delegation) for a short-lived access token of its own with nested `act`.
 */
export function tokenExchangeGrant (deps: TokenExchangeDependencies): GrantHandler {
  return async (request: FastifyRequest, body: TokenRequest) => {
    const { clientId, clientSecret } = readClientCredentials(request, body)
    const client = await deps.credentials.authenticate(clientId, clientSecret).catch(() => undefined)
    if (client?.credentialId === undefined) throw new OAuthError('invalid_client', 'Client authentication failed')
    if (client.agent.status !== 'active') throw new OAuthError('unauthorized_client', `Agent is ${client.agent.status}`)
    if (body.requested_token_type !== undefined && body.requested_token_type !== ACCESS_TOKEN_TYPE) {
      throw new OAuthError('invalid_request', `requested_token_type ${body.requested_token_type} is not supported`)
    }
    if (body.subject_token === undefined || body.subject_token_type === undefined) throw new OAuthError('invalid_request', 'subject_token and subject_token_type are required')
    if (body.actor_token === undefined || body.actor_token_type === undefined) throw new OAuthError('invalid_request', 'actor_token and actor_token_type are required')
    if (body.actor_token_type !== ACCESS_TOKEN_TYPE) throw new OAuthError('invalid_request', `actor_token_type ${body.actor_token_type} is not supported`)
    const actor = await principalOrNull(deps.tokens, body.actor_token)
    if (actor === null) throw new OAuthError('invalid_grant', 'actor_token is not a valid access token')
    if (actor.agentId !== client.agent.agentId || actor.organizationId !== client.agent.organizationId) {
      throw new OAuthError('invalid_grant', 'actor_token does not belong to the authenticated client')
    }
    const subject = await readSubject(deps, body.subject_token_type, body.subject_token, actor)
    const scopes = narrowScopes(subject.scopes, body.scope)
    const now = Math.floor(deps.clock.now().getTime() / 1000)
    // Never outlives the delegation, nor the tokens it was made from.
    const ttlSeconds = Math.min(deps.ttlSeconds, subject.expiresAt - now, actor.expiresAt - now)
    if (ttlSeconds < 1) throw new OAuthError('invalid_grant', 'The delegation has expired')
    const delegationId = subject.path?.[subject.path.length - 1]!.chainId
    const act = nestedAct([...(subject.path?.map((link) => link.delegateeAgentId) ?? []).slice(0, -1), actor.agentId], subject.priorAct)
    const token = await deps.tokens.mint({ organizationId: actor.organizationId, agentId: actor.agentId, scopes },
      { act, ...(delegationId === undefined ? {} : { delegation_id: delegationId }) }, TOKEN_EXCHANGE_GRANT, ttlSeconds)
    await deps.audit.record({ organizationId: actor.organizationId, agentId: actor.agentId, action: 'token.exchanged', details: {
      jti: token.jti, scope: token.response.scope, delegationId, subjectTokenType: body.subject_token_type, chain: subject.path?.map((link) => link.chainId)
    } })
    return { ...token.response, issued_token_type: ACCESS_TOKEN_TYPE }
  }
}

async function principalOrNull (tokens: Pick<TokenService, 'authenticate'>, token: string): Promise<Principal | null> {
  try {
    return await tokens.authenticate(token)
  } catch (error) {
    if (error instanceof UnauthorizedError) return null
    throw error
  }
}

async function readSubject (deps: TokenExchangeDependencies, type: string, token: string, actor: Principal): Promise<Subject> {
  if (type === DELEGATION_TOKEN_TYPE_URN) {
    const chain = await deps.delegations.verifyChain(actor.organizationId, token)
    if (!chain.valid) throw new OAuthError('invalid_grant', `subject_token is not a valid delegation: ${chain.reason}`)
    const leaf = chain.path[chain.path.length - 1]!
    if (leaf.delegateeAgentId !== actor.agentId) throw new OAuthError('invalid_grant', 'The delegation was not made to the actor')
    return { path: chain.path, scopes: leaf.scopes, expiresAt: chain.expiresAt, priorAct: undefined }
  }
  if (type === ACCESS_TOKEN_TYPE) {
    const subject = await principalOrNull(deps.tokens, token)
    if (subject === null) throw new OAuthError('invalid_grant', 'subject_token is not a valid access token')
    if (subject.organizationId !== actor.organizationId || subject.agentId === actor.agentId) {
      throw new OAuthError('invalid_grant', 'The subject has not delegated to the actor')
    }
    const priorAct = typeof subject.claims.act === 'object' && subject.claims.act !== null ? subject.claims.act as Record<string, unknown> : undefined
    const path = await deps.delegations.liveLinkBetween(actor.organizationId, subject.agentId, actor.agentId)
    if (path !== undefined) {
      const leaf = path[path.length - 1]!
      const scopes = leaf.scopes.filter((scope) => subject.scopes.has(scope))
      if (scopes.length === 0) throw new OAuthError('invalid_grant', 'The subject token holds none of the delegated scopes')
      return { path, scopes, expiresAt: Math.min(leaf.expiresAt, subject.expiresAt), priorAct }
    }
    const mayAct = subject.claims.may_act as { sub?: unknown } | undefined
    if (mayAct?.sub === actor.agentId) return { path: undefined, scopes: [...subject.scopes], expiresAt: subject.expiresAt, priorAct }
    throw new OAuthError('invalid_grant', 'The subject has not delegated to the actor')
  }
  throw new OAuthError('invalid_request', `subject_token_type ${type} is not supported`)
}

function narrowScopes (granted: string[], requested: string | undefined): string[] {
  if (requested === undefined || requested.trim() === '') return granted
  const asked = [...new Set(requested.split(' ').filter(Boolean))]
  const refused = asked.filter((scope) => !granted.includes(scope))
  if (refused.length > 0) throw new OAuthError('invalid_scope', `Scope not delegated: ${refused.join(' ')}`)
  return asked
}
