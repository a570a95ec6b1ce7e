import type { Clock } from '../clock.js'
import type { KeyValueStore } from '../storage/key-value-store.js'
import type { RevokedTokenRepository } from '../repositories/revoked-token-repository.js'
import type { AgentRepository } from '../repositories/agent-repository.js'

const revokedTokenKey = (jti: string): string => `revoked_token:${jti}`
const disabledAgentKey = (agentId: string): string => `agent_disabled:${agentId}`

/**
 * Which access tokens must be refused before they expire. The shared store makes a
 * revocation visible to every instance at once; PostgreSQL keeps the durable record.
 */
export class TokenRevocations {
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

  /** One round trip for both checks; the auth hook calls this on every request. */
  async isRevoked (jti: string, agentId: string, issuedAt: number): Promise<boolean> {
    const [revoked, disabledAt] = await this.store.getMany([revokedTokenKey(jti), disabledAgentKey(agentId)])
    return revoked !== null || (disabledAt !== null && issuedAt <= Number(disabledAt))
  }

  /** Refills the shared store from PostgreSQL (an embedded restart, a flushed Redis). */
  async restore (): Promise<void> {
    for (const { jti, expiresAt } of await this.revokedTokens.listUnexpired()) {
      await this.store.set(revokedTokenKey(jti), '1', (expiresAt.getTime() - this.clock.now().getTime()) / 1000)
    }
    for (const { agentId, disabledAt } of await this.agents.listRecentlyDisabled(this.tokenTtlSeconds)) {
      await this.disableAgent(agentId, disabledAt)
    }
  }
}
