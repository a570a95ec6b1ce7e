import { LRUCache } from 'lru-cache'
import type { KeyValueStore } from '../storage/key-value-store.js'
import type { AgentRepository, ClientRecord } from '../repositories/agent-repository.js'

const AGENT_CHANGED_CHANNEL = 'sentryagent:agent_changed'
const MAX_ENTRIES = 50_000

/**
 * Agents with their active credential digests, read by every token request and agent read,
 * kept in this instance's memory. A change drops the entry here at once and, through the
 * shared store's broadcast, on every other instance. While broadcasts can't be heard the
 * cache is bypassed, and it is emptied when they resume. Expiry is judged by the caller on each use.
 */
export class AgentCache {
  readonly #entries: LRUCache<string, ClientRecord> | undefined
  // Bumped by every invalidation: a read that started before one must not store what it saw.
  #generation = 0

  constructor (private readonly agents: AgentRepository, private readonly store: KeyValueStore, ttlMs: number) {
    this.#entries = ttlMs === 0 ? undefined : new LRUCache({ max: MAX_ENTRIES, ttl: ttlMs })
  }

  /** Listens for changes made on other instances; call once at start. */
  async start (): Promise<void> {
    if (this.#entries === undefined) return
    await this.store.subscribe(AGENT_CHANGED_CHANNEL, (agentId) => { this.#forget(agentId) })
    this.store.onListeningResumed(() => { this.#forgetAll() })
  }

  /** The agent and its active credentials, frozen: every caller shares the same record. */
  async client (agentId: string): Promise<ClientRecord | undefined> {
    // While changes can't be heard, the database answers.
    const cached = this.store.listening ? this.#entries?.get(agentId) : undefined
    if (cached !== undefined) return cached
    const generation = this.#generation
    const record = await this.agents.findClient(agentId)
    if (record === undefined) return undefined
    for (const list of [record.agent.capabilities, record.agent.inputModes, record.agent.outputModes]) Object.freeze(list)
    for (const skill of record.agent.skills) Object.freeze(Object.freeze(skill).tags)
    Object.freeze(record.agent.skills)
    Object.freeze(record.agent)
    Object.freeze(record.credentials)
    if (generation === this.#generation && this.store.listening) this.#entries?.set(agentId, Object.freeze(record))
    return record
  }

  /** After the agent or one of its credentials changed (committed): forget it here and on every instance. */
  async invalidate (agentId: string): Promise<void> {
    if (this.#entries === undefined) return
    this.#forget(agentId)
    await this.store.publish(AGENT_CHANGED_CHANNEL, agentId)
  }

  #forget (agentId: string): void {
    this.#generation++
    this.#entries!.delete(agentId)
  }

  #forgetAll (): void {
    this.#generation++
    this.#entries!.clear()
  }
}
