import type { FastifyReply } from 'fastify'
import type { Decision } from './service.js'

/** A decision's header values: all but the units left are the same for every request of its batch. */
interface Fields {
  limit: string
  reset: string
  /** Per policy: its `RateLimit` item up to `r=`, the units left before the batch, the rest of the item. */
  items: Array<{ head: string, left: number, tail: string }>
}

// Built once per batch, on its first request.
const fieldsOf = new WeakMap<Decision, Fields>()

function fieldsFor ({ policies }: Decision): Fields {
  const primary = policies[0]!
  return {
    limit: String(primary.limit),
    reset: String(primary.resetSeconds),
    items: policies.map((item, i) => ({ head: `${i === 0 ? '' : ', '}"${item.name}";r=`, left: item.limit - item.counted, tail: `;t=${item.resetSeconds}` }))
  }
}

/**
 * The de-facto `x-ratelimit-*` trio (for the window) and the IETF structured fields
 * (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy` lists every policy applied,
 * `RateLimit` what is left of each after the request at `position` in its batch.
 */
export function setRateLimitHeaders (reply: FastifyReply, decision: Decision, position: number): void {
  let fields = fieldsOf.get(decision)
  if (fields === undefined) fieldsOf.set(decision, fields = fieldsFor(decision))
  // Requests of the batch counted up to and including this one (refused ones count nothing).
  const counted = position < decision.admitted ? position + 1 : decision.admitted
  let state = ''
  for (const { head, left, tail } of fields.items) state += head + String(Math.max(0, left - counted)) + tail
  void reply.header('x-ratelimit-limit', fields.limit)
    .header('x-ratelimit-remaining', String(Math.max(0, fields.items[0]!.left - counted)))
    .header('x-ratelimit-reset', fields.reset)
    .header('ratelimit-policy', decision.policyField)
    .header('ratelimit', state)
}
