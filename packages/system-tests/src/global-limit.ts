import type { Test } from 'tap'
import type { CreatedOrganization } from '@sentryagent/core'
import { isSuccess, runLoad, statusCounts } from './load.js'
import { scrapeCounter } from './metrics.js'
import type { ServerProcess } from './server-process.js'
import { API, clientToken } from './tenants.js'

/**
 * Sends a free tenant's authenticated reads round-robin over the instances and checks that,
 * together, they admitted no more than the free tier's clock-aligned windows allow (10 a
 * second, 60 a minute), and refused the rest with 429.
 */
export async function checkFreeTierLimitHolds (t: Test, servers: ServerProcess[], free: CreatedOrganization, load: { concurrency: number, requests: number }): Promise<void> {
  const token = await clientToken(servers[0]!.url, free.clientId, free.clientSecret)
  const startedAt = Date.now()
  const outcomes = await runLoad((index) => ({
    target: servers[index % servers.length]!.url,
    method: 'GET',
    path: `${API}/agents/${free.agentId}`,
    headers: { authorization: `Bearer ${token}` },
    tag: 'read'
  }), load)
  const endedAt = Date.now()
  const seconds = Math.floor(endedAt / 1000) - Math.floor(startedAt / 1000) + 1
  const minutes = Math.floor(endedAt / 60_000) - Math.floor(startedAt / 60_000) + 1
  const bound = Math.min(10 * seconds, 60 * minutes)
  const admitted = outcomes.filter(isSuccess).length
  const refused = statusCounts(outcomes)[429] ?? 0
  const failedOpen = await scrapeCounter(servers.map((server) => server.url), 'agentidp_rate_limit_decisions_total', { outcome: 'failed_open' })
  t.comment(`rate limit: ${outcomes.length} requests round-robin over ${servers.length} instances in ${endedAt - startedAt} ms (${seconds} one-second windows): ${admitted} admitted, ${refused} refused with 429; limit ${bound}; over-admission ${Math.max(0, admitted - bound)}; decisions failed open (store slower than the decision timeout): ${failedOpen}`)
  if (failedOpen > 0) for (const server of servers) t.comment(server.output.split('\n').filter((line) => line.includes('counters unreachable')).join('\n'))
  // Decisions the limiter itself made are exact across instances…
  t.ok(admitted - failedOpen <= bound, `admitted ${admitted} − failed open ${failedOpen} ≤ ${bound}`)
  // …and none fails open while Redis is up: the 50 ms deadline bounds the store round trip only.
  t.ok(admitted <= bound, `admitted ${admitted} ≤ ${bound}`)
  t.ok(admitted > 0, 'requests within the limit pass')
  t.equal(admitted + refused, outcomes.length, 'every other request is a 429')
  t.ok(outcomes.filter((outcome) => outcome.status === 429).every((outcome) => outcome.retryAfter !== null), 'every 429 says when to retry')
}
