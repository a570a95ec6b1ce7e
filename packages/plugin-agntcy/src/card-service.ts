import { createHash } from 'node:crypto'
import canonicalize from 'canonicalize'
import { LRUCache } from 'lru-cache'
import type { Agent, Principal } from '@sentryagent/core'
import type { CardBuilder } from './card-builder.js'
import type { CardSigner } from './card-signer.js'
import { AgentCardIncompleteError } from './errors.js'

/** A card ready to send: its bytes, their strong ETag and how long caches may keep them. */
export interface ServedCard { body: string, etag: string, cacheControl: string }

/** Where the card service finds agents, across tenants (public cards need no token). */
export interface AgentLookup { visibleTo(agentId: string, principal: Principal | null): Promise<Agent> }

interface Rendered { body: string, etag: string }

// Last rendering per agent, kept past the agent cache's TTL: an unchanged card keeps its bytes.
const LAST_RENDERINGS = 10_000

/**
 * Serves agent cards. A card is rendered (built, signed, serialized, hashed) once per agent
 * record: core's agent cache hands out the same frozen record until the agent changes, so the
 * record itself keys the rendering and a changed agent is simply a new key. An ETag hit then
 * costs a cache lookup and a string comparison. When the agent cache hands out a fresh record of
 * an unchanged agent (its TTL), the previous bytes are reused: ECDSA signatures differ on every
 * signing, and a strong ETag must name the same bytes for as long as the card is the same.
 */
export class CardService {
  readonly #rendered = new WeakMap<Agent, Promise<Rendered>>()
  readonly #last = new LRUCache<string, { unsigned: string, rendered: Rendered }>({ max: LAST_RENDERINGS })
  readonly #publicCacheControl: string

  constructor (
    private readonly agents: AgentLookup,
    private readonly builder: CardBuilder,
    private readonly signer: CardSigner | undefined,
    maxAgeSeconds: number
  ) {
    this.#publicCacheControl = `public, max-age=${maxAgeSeconds}`
  }

  /** Public agents' cards to anyone; the others only to their own tenant (a foreign id is not found). */
  async serve (agentId: string, principal: Principal | null): Promise<ServedCard> {
    const agent = await this.agents.visibleTo(agentId, principal)
    let rendered = this.#rendered.get(agent)
    if (rendered === undefined) {
      rendered = this.#render(agent)
      this.#rendered.set(agent, rendered)
      rendered.catch(() => { this.#rendered.delete(agent) })
    }
    const { body, etag } = await rendered
    // A private card may change for its tenant only: shared caches must not keep it.
    return { body, etag, cacheControl: agent.isPublic ? this.#publicCacheControl : 'private, no-cache' }
  }

  async #render (agent: Agent): Promise<Rendered> {
    const built = this.builder.build(agent)
    if (built.problems !== undefined) {
      const error = new AgentCardIncompleteError(agent.agentId)
      Object.assign(error, { details: { problems: built.problems } })
      throw error
    }
    const unsigned = canonicalize(built.card)!
    const last = this.#last.get(agent.agentId)
    if (last?.unsigned === unsigned) return last.rendered
    const card = this.signer === undefined ? built.card : await this.signer.sign(built.card)
    const body = JSON.stringify(card)
    const rendered = { body, etag: `"${createHash('sha256').update(body).digest('base64url')}"` }
    this.#last.set(agent.agentId, { unsigned, rendered })
    return rendered
  }
}

/** RFC 9110 §13.1.2: `If-None-Match` lists ETags (or `*`); a strong card ETag also matches its weak form. */
export function matchesEtag (ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false
  if (ifNoneMatch === etag) return true
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim()
    return tag === '*' || tag === etag || tag === `W/${etag}`
  })
}
