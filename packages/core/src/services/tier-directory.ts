import { LRUCache } from 'lru-cache'
import type { KeyValueStore } from '../storage/key-value-store.js'
import type { OrganizationRepository, Tier } from '../repositories/organization-repository.js'
import { tierDefinition, type TierDefinition } from '../tiers.js'
import { OrganizationNotFoundError } from '../errors.js'

const TIER_CHANGED_CHANNEL = 'sentryagent:tier_changed'
const SHARED_TTL_SECONDS = 3600
const LOCAL_TTL_MS = 60_000
const tierCacheKey = (organizationId: string): string => `tier_cache:${organizationId}`

/**
 * Which tier each tenant is on, read on hot paths (rate limits, delegation depth): from
 * memory, else Redis `tier_cache:{tenantId}`, else `tenant_subscriptions`. A change is
 * broadcast so that every instance drops its copy at once.
 */
export class TierDirectory {
  readonly #local = new LRUCache<string, Tier>({ max: 50_000, ttl: LOCAL_TTL_MS })

  constructor (private readonly store: KeyValueStore, private readonly organizations: OrganizationRepository) {}

  /** Listens for changes made by other instances; call once at start. */
  async start (): Promise<void> {
    await this.store.subscribe(TIER_CHANGED_CHANNEL, (organizationId) => { this.#local.delete(organizationId) })
    // A change broadcast while Redis was away was missed; limits may lag by the outage, not by the TTL.
    this.store.onListeningResumed(() => { this.#local.clear() })
  }

  async tierOf (organizationId: string): Promise<Tier> {
    const local = this.#local.get(organizationId)
    if (local !== undefined) return local
    let tier = await this.store.get(tierCacheKey(organizationId)) as Tier | null
    if (tier === null) {
      const organization = await this.organizations.find(organizationId)
      if (organization === undefined) throw new OrganizationNotFoundError(organizationId)
      tier = organization.tier
      await this.store.set(tierCacheKey(organizationId), tier, SHARED_TTL_SECONDS)
    }
    this.#local.set(organizationId, tier)
    return tier
  }

  async definitionOf (organizationId: string): Promise<TierDefinition> {
    return tierDefinition(await this.tierOf(organizationId))
  }

  /** After `tenant_subscriptions` changed: forget the tier here, in Redis and on every instance. */
  async invalidate (organizationId: string): Promise<void> {
    this.#local.delete(organizationId)
    await this.store.delete(tierCacheKey(organizationId))
    await this.store.publish(TIER_CHANGED_CHANNEL, organizationId)
  }
}
