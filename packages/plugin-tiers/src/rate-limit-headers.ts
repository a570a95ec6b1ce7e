import type { FastifyReply } from 'fastify'
import type { Decision } from './service.js'

/**
 * The de-facto `x-ratelimit-*` trio (for the window) and the IETF structured fields
 * (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy` lists every policy applied,
 * `RateLimit` what is left of each after the request at `position` in its batch.
 */
export function setRateLimitHeaders (reply: FastifyReply, decision: Decision, position: number): void {
  // Requests of the batch counted up to and including this one (refused ones count nothing).
  const counted = position < decision.admitted ? position + 1 : decision.admitted
  const { policies } = decision
  let state = ''
  for (let i = 0; i < policies.length; i++) {
    const item = policies[i]!
    state += `${i === 0 ? '' : ', '}"${item.name}";r=${Math.max(0, item.limit - item.counted - counted)};t=${item.resetSeconds}`
  }
  const primary = policies[0]!
  void reply.header('x-ratelimit-limit', primary.limit)
    .header('x-ratelimit-remaining', Math.max(0, primary.limit - primary.counted - counted))
    .header('x-ratelimit-reset', primary.resetSeconds)
    .header('ratelimit-policy', decision.policyField)
    .header('ratelimit', state)
}
