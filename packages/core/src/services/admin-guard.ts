import type { Clock } from '../clock.js'
import type { AgentRepository } from '../repositories/agent-repository.js'
import { withTransaction, type Database, type Queryable } from '../storage/database.js'
import { LastAdminError } from '../errors.js'

/**
 * Keeps somebody able to manage each organization: an active agent with admin:orgs that holds
 * a usable credential, so it can still get a token. Without one the tenant is locked out.
 */
export class AdminGuard {
  constructor (
    private readonly db: Database,
    private readonly agents: AgentRepository,
    private readonly clock: Clock
  ) {}

  /**
   * Applies `change` (to `agentId` or its credentials) unless it takes away the organization's
   * last such admin, or, when no admin can sign in now (their credentials expired), its last
   * active admin:orgs agent, which a new credential would bring back. These changes run one at a
   * time per organization, so two admins suspending each other, or two credentials revoked at
   * once, can't both succeed.
   */
  async keeping<T> (organizationId: string, agentId: string, change: (tx: Queryable) => Promise<T>): Promise<T> {
    return withTransaction(this.db, async (tx) => {
      await this.agents.lockAdmins(organizationId, tx)
      const now = this.clock.now()
      const before = await this.agents.admins(organizationId, now, tx)
      const result = await change(tx)
      const after = await this.agents.admins(organizationId, now, tx)
      if ((before.signIn && !after.signIn) || (before.active && !after.active)) throw new LastAdminError(agentId)
      return result
    })
  }
}
