import type { FastifyReply } from 'fastify'
import type { Decision } from './service.js'

/**
 * The de-facto `x-ratelimit-*` trio (for the window) and the IETF structured fields
 * (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy` lists every policy applied,
 * `RateLimit` what is left of each.
 */
export function setRateLimitHeaders (reply: FastifyReply, decision: Decision): void {
  const { primary, policies } = decision
  let policy = ''
  let state = ''
  for (const item of policies) {
    const separator = policy === '' ? '' : ', '
    policy += `${separator}"${item.name}";q=${item.limit};w=${item.windowMs / 1000}`
    state += `${separator}"${item.name}";r=${item.remaining};t=${item.resetSeconds}`
  }
  void reply.headers({
    'x-ratelimit-limit': primary.limit,
    'x-ratelimit-remaining': primary.remaining,
    'x-ratelimit-reset': primary.resetSeconds,
    'ratelimit-policy': policy,
    ratelimit: state
  })
}
