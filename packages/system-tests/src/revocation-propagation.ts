import type { Test } from 'tap'
import type { CreatedOrganization } from '@sentryagent/core'
import type { ServerProcess } from './server-process.js'
import { API, call, clientToken, createAgent, delegate } from './tenants.js'

// How long after the DELETE returned another instance may still call the delegation valid.
const REVOCATION_BUDGET_MS = 100
const GIVE_UP_MS = 5000

/**
 * Revokes a delegation on the first instance while every other one polls it back to back, and
 * checks that none answers "valid" to a request sent later than the budget after the DELETE.
 */
export async function checkRevocationPropagates (t: Test, servers: ServerProcess[], tenant: CreatedOrganization): Promise<void> {
  const admin = await clientToken(servers[0]!.url, tenant.clientId, tenant.clientSecret)
  const delegatee = await createAgent(servers[0]!.url, admin, ['agents:read'])
  const { chainId, delegationToken } = await delegate(servers[0]!.url, admin, delegatee.agentId, ['agents:read'])
  const verify = async (server: ServerProcess): Promise<boolean> => {
    const answer = await call(server.url, 'POST', `${API}/oauth2/token/verify-delegation`, { token: admin, body: { delegationToken } })
    if (answer.status !== 200) throw new Error(`verify-delegation answered ${answer.status} ${answer.text}`)
    return (answer.body as { valid: boolean }).valid
  }
  // Every instance has verified (and may have cached) the link before it is revoked.
  t.same(await Promise.all(servers.map(verify)), servers.map(() => true), 'valid everywhere before the revocation')

  const revoked = await call(servers[0]!.url, 'DELETE', `${API}/oauth2/token/delegate/${chainId}`, { token: admin })
  const returnedAt = performance.now()
  t.equal(revoked.status, 200, `DELETE answered ${revoked.text}`)
  // A poll's send time says when a request reached the instance.
  const polls = await Promise.all(servers.slice(1).map(async (server) => {
    const valid: number[] = []
    for (;;) {
      const sentAt = performance.now() - returnedAt
      if (!await verify(server)) return { server, valid, refusedSentAt: sentAt, refusedAt: performance.now() - returnedAt }
      valid.push(sentAt)
      if (sentAt > GIVE_UP_MS) return { server, valid, refusedSentAt: Number.POSITIVE_INFINITY, refusedAt: Number.POSITIVE_INFINITY }
    }
  }))
  t.comment(`delegation revocation (budget ${REVOCATION_BUDGET_MS} ms after the DELETE returned): ${polls.map(({ server, valid, refusedSentAt, refusedAt }) =>
    `${server.name}: ${valid.length} poll(s) still valid (last sent at +${(valid.at(-1) ?? 0).toFixed(1)} ms), first refusal sent at +${refusedSentAt.toFixed(1)} ms, answered at +${refusedAt.toFixed(1)} ms`).join('; ')}`)
  for (const { server, valid, refusedSentAt } of polls) {
    t.ok(refusedSentAt < GIVE_UP_MS, `${server.name} refuses the revoked delegation`)
    t.ok(valid.every((sentAt) => sentAt <= REVOCATION_BUDGET_MS), `${server.name} answered valid to no request sent later than ${REVOCATION_BUDGET_MS} ms after the revocation`)
  }
}
