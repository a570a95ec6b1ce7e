import { LRUCache } from 'lru-cache'
import type { KeyObject } from 'node:crypto'
import type { KeyValueStore } from '@sentryagent/core'
import type { DelegationRepository } from './repository.js'
import type { Link } from './link.js'

export const INVALIDATION_CHANNEL = 'sentryagent:delegation_revoked'

/** Where credentials' keys come from (core's credentials). */
export interface KeySource {
  verificationKey(organizationId: string, credentialId: string): Promise<{ publicKey: KeyObject, usable: boolean } | undefined>
  signingKeyOf(organizationId: string, agentId: string): Promise<SigningKey | undefined>
}

export interface SigningKey { credentialId: string, keyId: string, privateKey: KeyObject }

// Opening a sealed private key (PKCS#8 decoding) costs more CPU than the rest of an issuance.
const SIGNING_KEY_TTL_MS = 60_000

/**
 * Links and their revocation state, kept in memory: links are immutable but for their
 * revoked flags, and every change to those is broadcast so that every instance drops its
 * copies at once (never waiting for a TTL). While broadcasts can't be heard, PostgreSQL
 * answers instead, and the copies are dropped when they resume. PostgreSQL stays the source of truth.
 */
export class LinkDirectory {
  readonly #links: LRUCache<string, Link>
  // Public keys never change; a key that stopped being usable marks its links in the database.
  readonly #keys: LRUCache<string, KeyObject>
  readonly #signingKeys: LRUCache<string, SigningKey>
  // Bumped on every invalidation: a read that raced one is not cached.
  #epoch = 0

  constructor (
    private readonly repository: DelegationRepository,
    private readonly keySource: KeySource,
    private readonly store: KeyValueStore,
    cacheSize: number
  ) {
    this.#links = new LRUCache({ max: cacheSize })
    this.#keys = new LRUCache({ max: cacheSize })
    this.#signingKeys = new LRUCache({ max: cacheSize, ttl: SIGNING_KEY_TTL_MS })
  }

  async start (): Promise<void> {
    await this.store.subscribe(INVALIDATION_CHANNEL, (message) => { this.#drop(message) })
    this.store.onListeningResumed(() => { this.#dropAll() })
  }

  /** The link and its ancestors, root first; empty when unknown or incomplete. */
  async path (organizationId: string, chainId: string): Promise<Link[]> {
    // While revocations can't be heard, the database answers.
    const leaf = this.store.listening ? this.#links.get(chainId) : undefined
    if (leaf !== undefined && leaf.organizationId === organizationId) {
      const path: Link[] = []
      for (const id of leaf.ancestorPath) {
        const link = this.#links.get(id)
        if (link === undefined) break
        path.push(link)
      }
      if (path.length === leaf.ancestorPath.length) {
        path.push(leaf)
        return path
      }
    }
    const epoch = this.#epoch
    const path = await this.repository.findPath(organizationId, chainId)
    const complete = path.length > 0 && path[path.length - 1]!.chainId === chainId && path.length === path[path.length - 1]!.ancestorPath.length + 1
    if (!complete) return []
    if (epoch === this.#epoch && this.store.listening) for (const link of path) this.#links.set(link.chainId, link)
    return path
  }

  /** A credential's public key; 'unusable' once it was revoked or expired. */
  async publicKey (organizationId: string, credentialId: string): Promise<KeyObject | 'unusable' | undefined> {
    const cached = this.#keys.get(credentialId)
    if (cached !== undefined) return cached
    const key = await this.keySource.verificationKey(organizationId, credentialId)
    if (key === undefined) return undefined
    if (!key.usable) return 'unusable'
    this.#keys.set(credentialId, key.publicKey)
    return key.publicKey
  }

  /**
   * The agent's signing key, kept for a minute and dropped on every credential change broadcast;
   * issuance's insert re-checks the credential, so a stale key never yields a valid link.
   */
  async signingKeyOf (organizationId: string, agentId: string): Promise<SigningKey | undefined> {
    const cacheKey = `${organizationId}:${agentId}`
    const cached = this.#signingKeys.get(cacheKey)
    if (cached !== undefined) return cached
    const epoch = this.#epoch
    const key = await this.keySource.signingKeyOf(organizationId, agentId)
    if (key !== undefined && epoch === this.#epoch) this.#signingKeys.set(cacheKey, key)
    return key
  }

  /** Tells every instance (this one at once) that these links changed state. */
  async invalidate (chainIds: string[]): Promise<void> {
    const message = JSON.stringify(chainIds)
    this.#drop(message)
    await this.store.publish(INVALIDATION_CHANNEL, message)
  }

  #drop (message: string): void {
    let ids: unknown
    try {
      ids = JSON.parse(message)
    } catch {
      ids = undefined
    }
    if (!Array.isArray(ids)) {
      this.#dropAll()
      return
    }
    this.#epoch++
    this.#signingKeys.clear()
    for (const id of ids) if (typeof id === 'string') this.#links.delete(id)
  }

  #dropAll (): void {
    this.#epoch++
    this.#signingKeys.clear()
    this.#links.clear()
  }
}
