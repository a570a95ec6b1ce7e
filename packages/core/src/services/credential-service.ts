import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto'
import type { Registry } from 'prom-client'
import type { Clock } from '../clock.js'
import type { Agent } from '../schemas/agent.js'
import type { Credential, CredentialWithSecret } from '../schemas/credential.js'
import { publicCredential, type CredentialRepository, type StoredCredential } from '../repositories/credential-repository.js'
import type { AgentRepository } from '../repositories/agent-repository.js'
import type { CredentialKeys } from '../crypto/credential-keys.js'
import { clientSecretMatches, digestClientSecret, generateClientSecret } from '../crypto/client-secret.js'
import { withTransaction, type Database, type Queryable } from '../storage/database.js'
import type { AdminGuard } from './admin-guard.js'
import type { AuditLog } from './audit-log.js'
import type { UsageRecorder } from './usage-counter.js'
import type { Actor } from './agent-service.js'
import type { AgentCache } from './agent-cache.js'
import { AgentNotActiveError, AgentNotFoundError, CredentialNotFoundError, CredentialRevokedError } from '../errors.js'
import { counter } from '../metrics.js'

/** A credential's Ed25519 key: the one that signs what its agent delegates. */
export interface SigningKey { credentialId: string, agentId: string, keyId: string, privateKey: KeyObject }
export interface VerificationKey { credentialId: string, agentId: string, keyId: string, publicKey: KeyObject, usable: boolean }

export type CredentialRevokedListener = (event: { organizationId: string, agentId: string, credentialId: string }) => Promise<void>

export class CredentialService {
  readonly #operations
  readonly #revokedListeners: CredentialRevokedListener[] = []

  constructor (
    private readonly db: Database,
    private readonly credentials: CredentialRepository,
    private readonly agents: AgentRepository,
    private readonly cache: AgentCache,
    private readonly keys: CredentialKeys,
    private readonly admins: AdminGuard,
    private readonly audit: AuditLog,
    private readonly usage: UsageRecorder,
    private readonly clock: Clock,
    registry: Registry
  ) {
    this.#operations = counter(registry, 'credential_operations_total', 'Credential operations', ['operation'])
  }

  async create (actor: Actor, agentId: string, expiresAt: Date | null): Promise<CredentialWithSecret> {
    const agent = await this.#agent(actor.organizationId, agentId)
    if (agent.status === 'decommissioned') throw new AgentNotActiveError(agentId)
    const created = await this.#issue(this.db, agent, expiresAt)
    await this.cache.invalidate(agentId)
    this.#operations.inc({ operation: 'create' })
    await this.audit.record({ ...actor, action: 'credential.created', details: { targetAgentId: agentId, credentialId: created.credentialId } })
    return created
  }

  async list (organizationId: string, agentId: string, page: number, limit: number): Promise<{ credentials: Credential[], total: number }> {
    await this.#agent(organizationId, agentId)
    const { credentials, total } = await this.credentials.list(organizationId, agentId, page, limit)
    return { credentials: credentials.map(publicCredential), total }
  }

  /** Revokes the credential and issues its successor (new secret, new signing key) atomically. */
  async rotate (actor: Actor, agentId: string, credentialId: string): Promise<CredentialWithSecret> {
    const agent = await this.#agent(actor.organizationId, agentId)
    if (agent.status === 'decommissioned') throw new AgentNotActiveError(agentId)
    const current = await this.#credential(actor.organizationId, agentId, credentialId)
    const created = await withTransaction(this.db, async (tx) => {
      if (await this.credentials.revoke(actor.organizationId, credentialId, tx) === undefined) throw new CredentialRevokedError(credentialId)
      return this.#issue(tx, agent, current.expiresAt === null ? null : new Date(current.expiresAt))
    })
    await this.cache.invalidate(agentId)
    await this.#notifyRevoked(actor.organizationId, agentId, credentialId)
    this.#operations.inc({ operation: 'rotate' })
    this.usage.increment(actor.organizationId, agentId, 'credential_rotated')
    await this.audit.record({ ...actor, action: 'credential.rotated', details: { targetAgentId: agentId, credentialId, replacedBy: created.credentialId } })
    return created
  }

  /**
   * Idempotent: revoking a revoked credential succeeds and changes nothing. An admin's last
   * usable credential stays while nobody else could manage the organization.
   */
  async revoke (actor: Actor, agentId: string, credentialId: string): Promise<void> {
    await this.#credential(actor.organizationId, agentId, credentialId)
    const revoked = await this.admins.keeping(actor.organizationId, agentId, async (tx) => this.credentials.revoke(actor.organizationId, credentialId, tx))
    // Also on a repeat: it re-broadcasts an invalidation that an outage may have lost.
    await this.cache.invalidate(agentId)
    if (revoked === undefined) return
    await this.#notifyRevoked(actor.organizationId, agentId, credentialId)
    this.#operations.inc({ operation: 'revoke' })
    await this.audit.record({ ...actor, action: 'credential.revoked', details: { targetAgentId: agentId, credentialId } })
  }

  /**
   * The client and, when the secret matches one of its usable credentials (compared in
   * constant time), that credential's id; undefined for an unknown client.
   */
  async authenticate (clientId: string, clientSecret: string): Promise<{ agent: Agent, credentialId: string | undefined } | undefined> {
    const client = await this.cache.client(clientId)
    if (client === undefined) return undefined
    // Expiry is judged on every use (the record may be cached) by the injected clock, the same one that validated `expiresAt` at creation.
    const now = this.clock.now()
    const match = client.credentials.find((candidate) => (candidate.expiresAt === null || candidate.expiresAt > now) &&
      clientSecretMatches(clientSecret, candidate.secretDigest))
    return { agent: client.agent, credentialId: match?.credentialId }
  }

  /** Plugins learn here that what a credential signed must no longer be trusted (rotation, revocation). */
  onRevoked (listener: CredentialRevokedListener): void {
    this.#revokedListeners.push(listener)
  }

  /** The key that signs for the agent now: its newest usable credential's; undefined without one. */
  async signingKeyOf (organizationId: string, agentId: string): Promise<SigningKey | undefined> {
    const credential = await this.credentials.findNewestUsable(organizationId, agentId, this.clock.now())
    if (credential === undefined) return undefined
    return {
      credentialId: credential.credentialId,
      agentId,
      keyId: credential.signingKeyId,
      privateKey: this.keys.open(credential.credentialId, credential.sealedSigningKey)
    }
  }

  /** A credential's public key, and whether it may still be relied on (active, unexpired). */
  async verificationKey (organizationId: string, credentialId: string): Promise<VerificationKey | undefined> {
    const credential = await this.credentials.findById(organizationId, credentialId)
    if (credential === undefined) return undefined
    const expired = credential.expiresAt !== null && new Date(credential.expiresAt) <= this.clock.now()
    return {
      credentialId,
      agentId: credential.clientId,
      keyId: credential.signingKeyId,
      publicKey: createPublicKey(credential.signingPublicKey),
      usable: credential.status === 'active' && !expired
    }
  }

  async #notifyRevoked (organizationId: string, agentId: string, credentialId: string): Promise<void> {
    for (const listener of this.#revokedListeners) await listener({ organizationId, agentId, credentialId })
  }

  async #issue (db: Queryable, agent: Agent, expiresAt: Date | null): Promise<CredentialWithSecret> {
    const credentialId = randomUUID()
    const clientSecret = generateClientSecret()
    const key = await this.keys.create(credentialId)
    const stored = await this.credentials.insert({
      credentialId,
      organizationId: agent.organizationId,
      agentId: agent.agentId,
      secretDigest: digestClientSecret(clientSecret),
      signingKeyId: key.keyId,
      signingPublicKey: key.publicKeyPem,
      sealedSigningKey: key.sealedPrivateKey,
      sealingKeyId: key.sealingKeyId,
      expiresAt
    }, db)
    return { ...publicCredential(stored), clientSecret }
  }

  async #agent (organizationId: string, agentId: string): Promise<Agent> {
    const agent = await this.agents.find(organizationId, agentId)
    if (agent === undefined) throw new AgentNotFoundError(agentId)
    return agent
  }

  async #credential (organizationId: string, agentId: string, credentialId: string): Promise<StoredCredential> {
    const credential = await this.credentials.find(organizationId, agentId, credentialId)
    if (credential === undefined) throw new CredentialNotFoundError(credentialId)
    return credential
  }
}
