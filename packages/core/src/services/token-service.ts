import { randomUUID } from 'node:crypto'
import { jwtVerify, errors as joseErrors, type JWTPayload } from 'jose'
import { signCompactJws } from '../crypto/jws.js'
import type { Registry } from 'prom-client'
import type { Clock } from '../clock.js'
import type { SigningKeys } from '../crypto/signing-keys.js'
import type { IntrospectionResponse, TokenResponse } from '../schemas/token.js'
import type { Principal } from '../auth/principal.js'
import type { CredentialService } from './credential-service.js'
import type { TokenRevocations } from './token-revocations.js'
import type { AuditLog } from './audit-log.js'
import type { UsageRecorder } from './usage-counter.js'
import { OAuthError, UnauthorizedError } from '../errors.js'
import { counter, histogram } from '../metrics.js'
import { TokenCache } from '../crypto/token-cache.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const TOKEN_TYPE = 'at+jwt'

export interface TokenServiceOptions { issuer: string, ttlSeconds: number, verifiedCacheSize: number }

export interface AccessTokenClaims extends JWTPayload {
  sub: string
  client_id: string
  organization_id: string
  scope: string
  jti: string
  iat: number
  exp: number
}

/** Extra claims a plugin adds to a token it mints (e.g. token exchange's `act`). */
export type ExtraClaims = Record<string, unknown>

/** Runs on every authenticated request after the token verified; throws to refuse it (a revoked delegation). */
export type AcceptanceCheck = (principal: Principal) => Promise<void>

/** Runs before a token is minted; throws to refuse it (daily issuance quotas). */
export type IssuanceGuard = (subject: { organizationId: string, agentId: string }) => Promise<void>

export class TokenService {
  // Signature checks dominate the auth hook; a verified token is immutable until it expires.
  readonly #verified: TokenCache<Principal>
  readonly #issued
  readonly #verifyFailures
  readonly #verifyDuration
  readonly #issuanceGuards: IssuanceGuard[] = []
  readonly #acceptanceChecks: AcceptanceCheck[] = []

  constructor (
    private readonly keys: SigningKeys,
    private readonly credentials: CredentialService,
    private readonly revocations: TokenRevocations,
    private readonly audit: AuditLog,
    private readonly usage: UsageRecorder,
    private readonly clock: Clock,
    private readonly options: TokenServiceOptions,
    registry: Registry
  ) {
    this.#verified = new TokenCache(options.verifiedCacheSize)
    this.#issued = counter(registry, 'tokens_issued_total', 'Access tokens issued', ['grant_type'])
    this.#verifyFailures = counter(registry, 'token_verify_failures_total', 'Access tokens refused', ['reason'])
    this.#verifyDuration = histogram(registry, 'token_verify_duration_seconds', 'Time to verify an access token signature (cache misses)', [], [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.01])
  }

  /** RFC 6749 §4.4: client credentials grant. */
  async issueForClient (clientId: string, clientSecret: string, requestedScope: string | undefined): Promise<TokenResponse> {
    const client = UUID.test(clientId) ? await this.credentials.authenticate(clientId, clientSecret) : undefined
    if (client === undefined) throw new OAuthError('invalid_client', 'Client authentication failed')
    const { agent, credentialId } = client
    if (credentialId === undefined) {
      await this.audit.record({ organizationId: agent.organizationId, agentId: agent.agentId, action: 'token.issue_failed', outcome: 'failure', details: { reason: 'invalid_client' } })
      throw new OAuthError('invalid_client', 'Client authentication failed')
    }
    if (agent.status !== 'active') {
      await this.audit.record({ organizationId: agent.organizationId, agentId: agent.agentId, action: 'token.issue_failed', outcome: 'failure', details: { reason: `agent_${agent.status}` } })
      throw new OAuthError('unauthorized_client', `Agent is ${agent.status}`)
    }
    const scopes = this.#grantedScopes(agent.capabilities, requestedScope)
    const token = await this.mint({ organizationId: agent.organizationId, agentId: agent.agentId, scopes }, {}, 'client_credentials')
    await this.audit.record({ organizationId: agent.organizationId, agentId: agent.agentId, action: 'token.issued', details: { credentialId, scope: token.response.scope, jti: token.jti } })
    return token.response
  }

  addAcceptanceCheck (check: AcceptanceCheck): void {
    this.#acceptanceChecks.push(check)
  }

  addIssuanceGuard (guard: IssuanceGuard): void {
    this.#issuanceGuards.push(guard)
  }

  /** Signs an access token. Plugins call this for other grants (token exchange). */
  async mint (subject: { organizationId: string, agentId: string, scopes: string[] }, extraClaims: ExtraClaims, grantType: string,
    ttlSeconds = this.options.ttlSeconds): Promise<{ response: TokenResponse, jti: string }> {
    for (const guard of this.#issuanceGuards) await guard(subject)
    const jti = randomUUID()
    const issuedAt = Math.floor(this.clock.now().getTime() / 1000)
    const scope = subject.scopes.join(' ')
    const accessToken = signCompactJws({ alg: this.keys.algorithm, kid: this.keys.keyId, typ: TOKEN_TYPE }, {
      ...extraClaims,
      iss: this.options.issuer,
      sub: subject.agentId,
      client_id: subject.agentId,
      organization_id: subject.organizationId,
      scope,
      jti,
      iat: issuedAt,
      exp: issuedAt + ttlSeconds
    }, this.keys.privateKey)
    this.#issued.inc({ grant_type: grantType })
    this.usage.increment(subject.organizationId, subject.agentId, 'token_issued')
    return { response: { access_token: accessToken, token_type: 'Bearer', expires_in: ttlSeconds, scope }, jti }
  }

  /** Verifies a bearer token: signature, issuer, expiry, then revocation state. */
  async authenticate (token: string): Promise<Principal> {
    const principal = await this.#verify(token)
    if (await this.revocations.isRevoked(principal.tokenId, principal.agentId, principal.issuedAt)) throw this.#refuse('revoked', 'Token has been revoked')
    for (const check of this.#acceptanceChecks) await check(principal)
    return principal
  }

  /** RFC 7662. Tokens of other organizations are reported inactive, never described. */
  async introspect (token: string, organizationId: string): Promise<IntrospectionResponse> {
    let principal: Principal
    try {
      principal = await this.authenticate(token)
    } catch (error) {
      if (error instanceof UnauthorizedError) return { active: false }
      throw error
    }
    if (principal.organizationId !== organizationId) return { active: false }
    const claims = principal.claims as AccessTokenClaims
    return {
      active: true,
      scope: claims.scope,
      client_id: claims.client_id,
      sub: claims.sub,
      organization_id: claims.organization_id,
      token_type: 'Bearer',
      exp: claims.exp,
      iat: claims.iat,
      jti: claims.jti,
      iss: this.options.issuer,
      ...(claims.act === undefined ? {} : { act: claims.act as Record<string, unknown> }),
      ...(typeof claims.delegation_id === 'string' ? { delegation_id: claims.delegation_id } : {})
    }
  }

  /**
   * RFC 7009: answers the same whether or not the token was valid. Only the token's own
   * agent, or an organization admin of its tenant, may revoke it.
   */
  async revoke (token: string, caller: Principal): Promise<void> {
    let claims: AccessTokenClaims
    try {
      claims = (await this.#verify(token)).claims as AccessTokenClaims
    } catch (error) {
      if (error instanceof UnauthorizedError) return
      throw error
    }
    const allowed = claims.organization_id === caller.organizationId && (claims.sub === caller.agentId || caller.scopes.has('admin:orgs'))
    if (!allowed) return
    await this.revocations.revokeToken(claims.jti, claims.organization_id, new Date(claims.exp * 1000))
    this.#verified.delete(token)
    await this.audit.record({ organizationId: caller.organizationId, agentId: caller.agentId, action: 'token.revoked', details: { jti: claims.jti, subject: claims.sub } })
  }

  #grantedScopes (capabilities: string[], requestedScope: string | undefined): string[] {
    if (requestedScope === undefined || requestedScope.trim() === '') return capabilities
    const requested = [...new Set(requestedScope.split(' ').filter(Boolean))]
    const refused = requested.filter((scope) => !capabilities.includes(scope))
    if (refused.length > 0) throw new OAuthError('invalid_scope', `Scope not granted to this client: ${refused.join(' ')}`)
    return requested
  }

  /** Signature, issuer and expiry; a token verified once is served from memory until it expires. */
  async #verify (token: string): Promise<Principal> {
    const now = this.clock.now().getTime() / 1000
    const cached = this.#verified.get(token)
    if (cached !== undefined) {
      if (cached.expiresAt > now) return cached
      this.#verified.delete(token)
      throw this.#refuse('expired', 'Token has expired')
    }
    const stop = this.#verifyDuration.startTimer()
    let payload: JWTPayload
    try {
      ({ payload } = await jwtVerify(token, this.keys.publicKey, {
        issuer: this.options.issuer,
        algorithms: [this.keys.algorithm],
        typ: TOKEN_TYPE,
        currentDate: this.clock.now(),
        requiredClaims: ['sub', 'jti', 'iat', 'exp']
      }))
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw this.#refuse('expired', 'Token has expired')
      throw this.#refuse('invalid', 'Token is invalid')
    } finally {
      stop()
    }
    if (typeof payload.organization_id !== 'string' || typeof payload.scope !== 'string') throw this.#refuse('invalid', 'Token is invalid')
    const claims = payload as AccessTokenClaims
    const principal: Principal = {
      organizationId: claims.organization_id,
      agentId: claims.sub,
      scopes: new Set(claims.scope.split(' ').filter(Boolean)),
      tokenId: claims.jti,
      issuedAt: claims.iat,
      expiresAt: claims.exp,
      claims
    }
    this.#verified.set(token, principal)
    return principal
  }

  #refuse (reason: string, message: string): InstanceType<typeof UnauthorizedError> {
    this.#verifyFailures.inc({ reason })
    return new UnauthorizedError(message)
  }
}
