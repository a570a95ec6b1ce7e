import { randomUUID } from 'node:crypto'
import type { Registry } from 'prom-client'
import {
  AgentNotActiveError, ForbiddenError, TokenCache, counter, histogram, withTransaction,
  type AuditLog, type Clock, type Database, type Principal, type UsageRecorder
} from '@sentryagent/core'
import type { DelegationRepository } from './repository.js'
import type { LinkDirectory } from './link-directory.js'
import type { DepthLimits } from './options.js'
import { linkIsIntact, signLink, type Link } from './link.js'
import { parseDelegationToken, signDelegationToken, tokenSignatureValid, type ParsedToken } from './delegation-token.js'
import type { BlastRadius, ChainHop, DelegateBody, DelegationCreated, LinkSummary, Reason, VerifyResult } from './schemas.js'
import {
  DelegationCycleError, DelegationDepthError, DelegationLimitError, DelegationNotFoundError, DelegationTtlError,
  NoSigningCredentialError, NotParentDelegateeError, ParentDelegationInvalidError, ParentDelegationRequiredError,
  ScopeEscalationError, SelfDelegationError
} from './errors.js'

/** Tenant-scoped agent lookup; throws AGENT_NOT_FOUND for a foreign or unknown id. */
export interface AgentLookup {
  get(organizationId: string, agentId: string): Promise<{ status: string }>
}

export interface DelegationServiceDependencies {
  db: Database
  repository: DelegationRepository
  links: LinkDirectory
  agents: AgentLookup
  depthLimits: DepthLimits
  clock: Clock
  audit: AuditLog
  usage: UsageRecorder
  metrics: Registry
  maxLiveLinksPerDelegator: number
}

/** A chain that verified: its links, root first. */
export type VerifiedChain = { valid: true, path: Link[], expiresAt: number } | { valid: false, reason: Reason }

const toIso = (seconds: number): string => new Date(seconds * 1000).toISOString()
// An agent presents the same delegation token on call after call: the latest few that verified
// stay decoded (dropped when seen revoked or expired; the others are soon displaced).
const DECODED_TOKENS = 256

export class DelegationService {
  readonly #created
  readonly #verified
  readonly #revoked
  readonly #verifyDuration
  // Tokens whose signature checked out: links are immutable, so only revocation state is re-read.
  readonly #intact = new WeakSet<Link>()
  // The token each link last verified with: it goes with the link when the link directory drops
  // it (revocation, eviction), so that no revoked or expired token stays in memory.
  readonly #verifiedTokens = new WeakMap<Link, string>()
  // Revocation and expiry are judged on every call; this is only the answer's wording.
  readonly #explanations = new WeakMap<Link, VerifyResult>()
  readonly #decoded = new TokenCache<ParsedToken>(DECODED_TOKENS)

  constructor (private readonly deps: DelegationServiceDependencies) {
    this.#created = counter(deps.metrics, 'delegations_created_total', 'Delegation links issued')
    this.#verified = counter(deps.metrics, 'delegations_verified_total', 'Delegation tokens verified', ['result'])
    this.#revoked = counter(deps.metrics, 'delegations_revoked_total', 'Delegation links revoked (cascades included)', ['cause'])
    this.#verifyDuration = histogram(deps.metrics, 'delegation_verify_duration_seconds', 'Time to verify a delegation token', [],
      [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05])
  }

  #now (): number {
    return Math.floor(this.deps.clock.now().getTime() / 1000)
  }

  async delegate (principal: Principal, body: DelegateBody): Promise<DelegationCreated> {
    const { organizationId, agentId: delegatorAgentId } = principal
    const scopes = [...new Set(body.scopes)].sort()
    if (body.delegateeAgentId === delegatorAgentId) throw new SelfDelegationError()
    const escalated = scopes.filter((scope) => !principal.scopes.has(scope))
    if (escalated.length > 0) throw new ScopeEscalationError(escalated.join(' '))
    for (const agentId of [delegatorAgentId, body.delegateeAgentId]) {
      if ((await this.deps.agents.get(organizationId, agentId)).status !== 'active') throw new AgentNotActiveError(agentId)
    }
    const parentPath = await this.#parentPath(principal, body.parentDelegationToken)
    const parent = parentPath[parentPath.length - 1]
    const now = this.#now()
    const expiresAt = now + body.ttlSeconds
    if (parent !== undefined) {
      if (parent.delegateeAgentId !== delegatorAgentId) throw new NotParentDelegateeError()
      const beyondParent = scopes.filter((scope) => !parent.scopes.includes(scope))
      if (beyondParent.length > 0) throw new ScopeEscalationError(beyondParent.join(' '))
      const onChain = new Set(parentPath.flatMap((link) => [link.delegatorAgentId, link.delegateeAgentId]))
      if (onChain.has(body.delegateeAgentId)) throw new DelegationCycleError(body.delegateeAgentId)
      if (expiresAt > parent.expiresAt) {
        throw new DelegationTtlError(`ttlSeconds ${body.ttlSeconds} exceeds the parent delegation's remaining life of ${parent.expiresAt - now} s`)
      }
    }
    const depth = parentPath.length + 1
    const maxDepth = await this.deps.depthLimits.maxDepth(organizationId)
    if (depth > maxDepth) throw new DelegationDepthError(maxDepth)
    const key = await this.deps.links.signingKeyOf(organizationId, delegatorAgentId)
    if (key === undefined) throw new NoSigningCredentialError(delegatorAgentId)

    const chainId = randomUUID()
    const link = signLink({
      chainId,
      organizationId,
      rootChainId: parentPath[0]?.chainId ?? chainId,
      parentChainId: parent?.chainId ?? null,
      ancestorPath: parentPath.map((hop) => hop.chainId),
      delegatorAgentId,
      delegateeAgentId: body.delegateeAgentId,
      scopes,
      depth,
      issuedAt: now,
      expiresAt,
      signingCredentialId: key.credentialId,
      signingKeyId: key.keyId
    }, parent?.payloadHash ?? null, key.privateKey)
    // A rotation or revocation of the signing credential may commit while we sign: the insert
    // either sees it (and refuses) or makes it wait, and then its listener marks our link.
    const verdict = await this.deps.repository.insertChecked(link, this.deps.maxLiveLinksPerDelegator, this.deps.clock.now())
    if (verdict === 'credential_unusable') {
      // Our cached signing key is stale (revoked or expired): what it signed goes, and every instance drops its copy.
      await this.credentialRevoked(organizationId, key.credentialId)
      throw new NoSigningCredentialError(delegatorAgentId)
    }
    if (verdict === 'ancestor_revoked') throw Object.assign(new ParentDelegationInvalidError('revoked'), { details: { reason: 'revoked' } })
    if (verdict === 'limit_reached') throw new DelegationLimitError(this.deps.maxLiveLinksPerDelegator)
    const path = [...parentPath, link]
    this.#created.inc()
    this.deps.usage.increment(organizationId, delegatorAgentId, 'delegation_created')
    await this.deps.audit.record({ organizationId, agentId: delegatorAgentId, action: 'delegation.created', details: { chainId, scopes, expiresAt: toIso(expiresAt), depth, chain: chainDetails(path) } })
    return {
      delegationToken: signDelegationToken(path, key.privateKey),
      chainId,
      delegatorAgentId,
      delegateeAgentId: link.delegateeAgentId,
      scopes,
      expiresAt: toIso(expiresAt),
      depth,
      rootChainId: link.rootChainId,
      parentChainId: link.parentChainId
    }
  }

  async #parentPath (principal: Principal, parentToken: string | undefined): Promise<Link[]> {
    const exchangedFrom = principal.claims.delegation_id
    if (parentToken === undefined) {
      // Re-delegating what was delegated must stay on its chain, or revoking the chain would miss it.
      if (typeof exchangedFrom === 'string') throw new ParentDelegationRequiredError()
      return []
    }
    const parent = await this.verifyChain(principal.organizationId, parentToken)
    if (!parent.valid) throw Object.assign(new ParentDelegationInvalidError(parent.reason), { details: { reason: parent.reason } })
    if (typeof exchangedFrom === 'string' && parent.path[parent.path.length - 1]!.chainId !== exchangedFrom) throw new ParentDelegationRequiredError()
    return parent.path
  }

  /** Checks a delegation token against the graph; never throws for a bad token. */
  async verifyChain (organizationId: string, token: string): Promise<VerifiedChain> {
    const parsed = this.#decoded.get(token) ?? parseDelegationToken(token)
    if (parsed === undefined) return { valid: false, reason: 'malformed' }
    // Another tenant's delegations are not described, not even as existing.
    if (parsed.claims.organization_id !== organizationId) return { valid: false, reason: 'unknown' }
    const path = await this.deps.links.path(organizationId, parsed.claims.delegation_id)
    if (path.length === 0) return { valid: false, reason: 'unknown' }
    const leaf = path[path.length - 1]!
    if (this.#verifiedTokens.get(leaf) === token) return this.#stateOfVerified(token, path)
    if (parsed.credentialId !== leaf.signingCredentialId || parsed.claims.link_hash !== leaf.payloadHash || parsed.claims.exp !== leaf.expiresAt) {
      return { valid: false, reason: 'bad_signature' }
    }
    const key = await this.deps.links.publicKey(organizationId, leaf.signingCredentialId)
    if (key === 'unusable') return { valid: false, reason: 'credential_revoked' }
    if (key === undefined) return { valid: false, reason: 'bad_signature' }
    // Checked together; a forged token is refused as such even if the links' keys can't be read.
    const [tokenValid, links] = await Promise.allSettled([tokenSignatureValid(parsed, key), this.#firstBrokenLink(organizationId, path)])
    if (tokenValid.status === 'rejected' || !tokenValid.value) return { valid: false, reason: 'bad_signature' }
    if (links.status === 'rejected') throw links.reason
    if (links.value !== undefined) return { valid: false, reason: links.value }
    this.#verifiedTokens.set(leaf, token)
    this.#decoded.set(token, parsed)
    return this.#stateOfVerified(token, path)
  }

  /** The state of a chain whose token verified; a token no longer valid is not kept decoded. */
  #stateOfVerified (token: string, path: Link[]): VerifiedChain {
    const state = this.#state(path)
    if (!state.valid) this.#decoded.delete(token)
    return state
  }

  /** Revocation and expiry of a chain whose signatures are known to be good. */
  #state (path: Link[]): VerifiedChain {
    if (path.some((link) => link.revoked)) return { valid: false, reason: 'revoked' }
    if (path.some((link) => link.credentialRevoked)) return { valid: false, reason: 'credential_revoked' }
    const expiresAt = Math.min(...path.map((link) => link.expiresAt))
    if (expiresAt <= this.#now()) return { valid: false, reason: 'expired' }
    return { valid: true, path, expiresAt }
  }

  /** Every link must be its delegator's signature over exactly this position in exactly this chain. */
  async #firstBrokenLink (organizationId: string, path: Link[]): Promise<Reason | undefined> {
    const keys = await Promise.all(path.map((link) => this.#intact.has(link) ? undefined : this.deps.links.publicKey(organizationId, link.signingCredentialId)))
    // All the signatures are checked at once; the verdict is the first broken link's, root first.
    const verdicts = await Promise.all(path.map((link, i) => {
      if (this.#intact.has(link)) return true
      const parent = path[i - 1]
      const key = keys[i]
      if (key === 'unusable') return 'credential_revoked'
      const positioned = link.depth === i + 1 && link.rootChainId === path[0]!.chainId && link.parentChainId === (parent?.chainId ?? null) &&
        (parent === undefined || parent.delegateeAgentId === link.delegatorAgentId)
      return positioned && key !== undefined && linkIsIntact(link, parent, key)
    }))
    for (let i = 0; i < path.length; i++) {
      const verdict = verdicts[i]
      if (verdict === 'credential_revoked') return verdict
      if (verdict === false) return 'bad_signature'
      this.#intact.add(path[i]!)
    }
    return undefined
  }

  async verify (principal: Principal, token: string): Promise<VerifyResult> {
    const stop = this.#verifyDuration.startTimer()
    try {
      const result = await this.verifyChain(principal.organizationId, token)
      this.#verified.inc({ result: result.valid ? 'valid' : result.reason })
      this.deps.usage.increment(principal.organizationId, principal.agentId, 'delegation_verified')
      if (!result.valid) return { valid: false, reason: result.reason }
      return this.#explained(result.path, result.expiresAt)
    } finally {
      stop()
    }
  }

  /** What a valid chain answers; built from immutable link fields only, so built once per leaf. */
  #explained (path: Link[], expiresAt: number): VerifyResult {
    const leaf = path[path.length - 1]!
    const known = this.#explanations.get(leaf)
    if (known !== undefined) return known
    const explained: VerifyResult = {
      valid: true,
      chainId: leaf.chainId,
      scopes: leaf.scopes,
      expiresAt: toIso(expiresAt),
      delegatorAgentId: leaf.delegatorAgentId,
      delegateeAgentId: leaf.delegateeAgentId,
      depth: leaf.depth,
      rootChainId: leaf.rootChainId,
      chain: path.map((link, i): ChainHop => ({
        chainId: link.chainId,
        depth: link.depth,
        delegatorAgentId: link.delegatorAgentId,
        delegateeAgentId: link.delegateeAgentId,
        scopesGranted: link.scopes,
        scopesDropped: i === 0 ? [] : path[i - 1]!.scopes.filter((scope) => !link.scopes.includes(scope)),
        expiresAt: toIso(link.expiresAt)
      }))
    }
    this.#explanations.set(leaf, explained)
    return explained
  }

  /** Whether the chain behind an exchanged token is still live (the auth hook asks on every request). */
  async chainIsLive (organizationId: string, chainId: string): Promise<boolean> {
    const path = await this.deps.links.path(organizationId, chainId)
    return path.length > 0 && !path.some((link) => link.revoked || link.credentialRevoked)
  }

  /** The live link from one agent to another, with its ancestors live too. */
  async liveLinkBetween (organizationId: string, delegatorAgentId: string, delegateeAgentId: string): Promise<Link[] | undefined> {
    const link = await this.deps.repository.findLiveBetween(organizationId, delegatorAgentId, delegateeAgentId, this.deps.clock.now())
    if (link === undefined) return undefined
    const path = await this.deps.links.path(organizationId, link.chainId)
    const now = this.#now()
    return path.length > 0 && path.every((hop) => !hop.revoked && !hop.credentialRevoked && hop.expiresAt > now) ? path : undefined
  }

  /** Revokes a link and everything downstream, or (dry run) says what that would revoke. */
  async revoke (principal: Principal, chainId: string, dryRun: boolean): Promise<BlastRadius> {
    let subtree = await this.#authorizedSubtree(principal, chainId)
    const { organizationId } = principal
    let revokedChainIds: string[]
    if (dryRun) {
      revokedChainIds = subtree.filter((link) => !link.revoked).map((link) => link.chainId)
    } else {
      const revoked = await withTransaction(this.deps.db, async (tx) => {
        // Waits for any re-delegation holding one of these rows, so that the cascade below sees its
        // child. The whole subtree, in the order issuances lock their ancestors: no deadlock.
        await this.deps.repository.lockSubtree(tx, organizationId, chainId)
        return new Set(await this.deps.repository.revokeSubtree(tx, organizationId, chainId, this.deps.clock.now()))
      })
      subtree = await this.deps.repository.subtree(organizationId, chainId)
      revokedChainIds = subtree.filter((link) => revoked.has(link.chainId)).map((link) => link.chainId)
      if (revokedChainIds.length > 0) {
        await this.deps.links.invalidate(revokedChainIds)
        this.#revoked.inc({ cause: 'revoked' }, revokedChainIds.length)
        const ancestors = await this.deps.links.path(organizationId, chainId)
        await this.deps.audit.record({ organizationId, agentId: principal.agentId, action: 'delegation.revoked', details: { chainId, revokedChainIds, chain: chainDetails(ancestors), descendants: chainDetails(subtree.slice(1)) } })
      }
    }
    const revoked = new Set(revokedChainIds)
    const affected = subtree.filter((link) => revoked.has(link.chainId)).map((link) => link.delegateeAgentId)
    return { chainId, dryRun, revokedChainIds, affectedAgentIds: [...new Set(affected)], links: subtree.map((link) => this.#summary(link)) }
  }

  async descendants (principal: Principal, chainId: string): Promise<{ chainId: string, data: LinkSummary[], affectedAgentIds: string[] }> {
    const subtree = await this.#authorizedSubtree(principal, chainId)
    const below = subtree.slice(1)
    const affected = below.filter((link) => this.#summary(link).status === 'active').map((link) => link.delegateeAgentId)
    return { chainId, data: below.map((link) => this.#summary(link)), affectedAgentIds: [...new Set(affected)] }
  }

  /** Rotating or revoking a credential invalidates every link it signed, and their descendants. */
  async credentialRevoked (organizationId: string, credentialId: string): Promise<void> {
    const affected = await this.deps.repository.markCredentialRevoked(organizationId, credentialId, this.deps.clock.now())
    // Broadcast even when it signed nothing: every instance drops its cached signing keys.
    await this.deps.links.invalidate(affected)
    if (affected.length === 0) return
    this.#revoked.inc({ cause: 'credential_revoked' }, affected.length)
    await this.deps.audit.record({ organizationId, agentId: null, action: 'delegation.credential_revoked', details: { credentialId, invalidatedChainIds: affected } })
  }

  async #authorizedSubtree (principal: Principal, chainId: string): Promise<Link[]> {
    const subtree = await this.deps.repository.subtree(principal.organizationId, chainId)
    const target = subtree[0]
    if (target === undefined || target.chainId !== chainId) throw new DelegationNotFoundError(chainId)
    if (target.delegatorAgentId !== principal.agentId && !principal.scopes.has('admin:orgs')) {
      throw new ForbiddenError('Only the delegator of this link, or an admin:orgs agent, may manage it')
    }
    return subtree
  }

  #summary (link: Link): LinkSummary {
    const status = link.revoked ? 'revoked' : link.credentialRevoked ? 'credential_revoked' : link.expiresAt <= this.#now() ? 'expired' : 'active'
    return {
      chainId: link.chainId,
      parentChainId: link.parentChainId,
      depth: link.depth,
      delegatorAgentId: link.delegatorAgentId,
      delegateeAgentId: link.delegateeAgentId,
      scopes: link.scopes,
      expiresAt: toIso(link.expiresAt),
      status
    }
  }
}

/** The chain as audit events carry it: every hop, root first. */
function chainDetails (path: Link[]): Array<Record<string, unknown>> {
  return path.map((link) => ({ chainId: link.chainId, depth: link.depth, delegator: link.delegatorAgentId, delegatee: link.delegateeAgentId, scopes: link.scopes, expiresAt: toIso(link.expiresAt) }))
}
