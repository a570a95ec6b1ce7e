import type { Clock } from '../clock.js'
import type { KeyValueStore } from '../storage/key-value-store.js'
import type { RevokedTokenRepository } from '../repositories/revoked-token-repository.js'
import type { AgentRepository } from '../repositories/agent-repository.js'

// One hash tag for every key read together, so that a Redis Cluster serves the MGET from one slot.
const revokedTokenKey = (jti: string): string => `{revocations}:token:${jti}`
const disabledAgentKey = (agentId: string): string => `{revocations}:agent_disabled:${agentId}`
// Written after a restore: its absence means the shared store lost what it held (a restart
// without persistence, a flush, an eviction), and the hot copy must be refilled before use.
const RESTORED_KEY = '{revocations}:restored'

/**
 * Which access tokens must be refused before they expire. The shared store makes a
 * revocation visible to every instance at once; PostgreSQL keeps the durable record, and
 * a store found empty is refilled from it before any token is judged against it.
 */
export class TokenRevocations {
  #restoring: Promise<void> | undefined

  constructor (
    private readonly store: KeyValueStore,
    private readonly revokedTokens: RevokedTokenRepository,
    private readonly agents: AgentRepository,
    private readonly clock: Clock,
    private readonly tokenTtlSeconds: number
  ) {}

  async revokeToken (jti: string, organizationId: string, expiresAt: Date): Promise<void> {
    const ttlSeconds = (expiresAt.getTime() - this.clock.now().getTime()) / 1000
    if (ttlSeconds <= 0) return
    await this.revokedTokens.insert(jti, organizationId, expiresAt)
    await this.store.set(revokedTokenKey(jti), '1', ttlSeconds)
  }

  /** Tokens the agent was issued until now stop working (suspension, decommissioning). */
  async disableAgent (agentId: string, at: Date = this.clock.now()): Promise<void> {
    await this.store.set(disabledAgentKey(agentId), String(Math.floor(at.getTime() / 1000)), this.tokenTtlSeconds)
  }

  /** One round trip for both checks and the store's own health; the auth hook calls this on every request. */
  async isRevoked (jti: string, agentId: string, issuedAt: number): Promise<boolean> {
    const keys = [revokedTokenKey(jti), disabledAgentKey(agentId), RESTORED_KEY]
    let entries = await this.store.getMany(keys)
    if (entries[2] === null) {
      await this.restore()
      entries = await this.store.getMany(keys)
    }
    const [revoked = null, disabledAt = null] = entries
    return revoked !== null || (disabledAt !== null && issuedAt <= Number(disabledAt))
  }

  /** Refills the shared store from PostgreSQL; concurrent callers share one refill. */
  async restore (): Promise<void> {
    this.#restoring ??= this.#refill().finally(() => { this.#restoring = undefined })
    return this.#restoring
  }

  async #refill (): Promise<void> {
    const [tokens, agents] = await Promise.all([this.revokedTokens.listUnexpired(), this.agents.listRecentlyDisabled(this.tokenTtlSeconds)])
    // Sent together: the client pipelines them, so a large refill costs a few round trips, not one per key.
    await Promise.all([
      ...tokens.map(async ({ jti, expiresAt }) => this.store.set(revokedTokenKey(jti), '1', (expiresAt.getTime() - this.clock.now().getTime()) / 1000)),
      ...agents.map(async ({ agentId, disabledAt }) => this.disableAgent(agentId, disabledAt))
    ])
    await this.store.set(RESTORED_KEY, this.clock.now().toISOString())
  }
}
