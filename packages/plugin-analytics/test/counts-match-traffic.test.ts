import t from 'tap'
import { accessToken, adminSession, aggregateTotals, analytics, buildApp, createAgent, ManualClock, rawTotals } from './helpers.js'

t.test('known traffic, flushed and aggregated, gives exactly the counts that produced it, in every roll-up', async (t) => {
  const clock = new ManualClock('2026-03-10T09:00:00Z')
  const app = await buildApp(t, { core: { clock } })
  const admin = await adminSession(app, 'pro')
  const traffic = [{ tokens: 3, calls: 5, rotations: 2 }, { tokens: 1, calls: 12, rotations: 0 }, { tokens: 4, calls: 0, rotations: 1 }]
  const agents: Array<{ agentId: string }> = []
  for (const plan of traffic) {
    const agent = await createAgent(app, admin.authorization)
    let token = ''
    for (let i = 0; i < plan.tokens; i++) token = await accessToken(app, agent.agentId, agent.clientSecret)
    for (let i = 0; i < plan.calls; i++) {
      const response = await app.inject({ method: 'GET', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization: `Bearer ${token}` } })
      t.equal(response.statusCode, 200)
    }
    let credentialId = agent.credentialId
    for (let i = 0; i < plan.rotations; i++) {
      const rotated = await app.inject({ method: 'POST', url: `/api/v1/agents/${agent.agentId}/credentials/${credentialId}/rotate`, headers: { authorization: admin.authorization } })
      credentialId = rotated.json<{ credentialId: string }>().credentialId
    }
    agents.push(agent)
  }
  await app.sentryagent.usage.flush()
  clock.advanceDays(1)
  const run = await app.analytics.aggregator.run()
  t.ok(run.days.includes('2026-03-10'))

  const raw = await rawTotals(app, admin.organizationId)
  t.same(await aggregateTotals(app, admin.organizationId), raw, 'every aggregate row equals the raw events summed')
  for (const [index, plan] of traffic.entries()) {
    const agentId = agents[index]!.agentId
    t.equal(raw.get(`${agentId}|token_issued|2026-03-10`) ?? 0, plan.tokens)
    t.equal(raw.get(`${agentId}|api_call|2026-03-10`) ?? 0, plan.calls)
    t.equal(raw.get(`${agentId}|credential_rotated|2026-03-10`) ?? 0, plan.rotations)
  }

  const authorization = `Bearer ${await accessToken(app, admin.clientId, admin.clientSecret)}`
  const range = { from: '2026-03-04', to: '2026-03-10' }
  const sumRaw = (metric: string): number => [...raw].filter(([key]) => key.includes(`|${metric}|`)).reduce((total, [, count]) => total + count, 0)

  const summary = await analytics(app, authorization, 'usage-summary', range)
  t.equal(summary.statusCode, 200)
  const body = summary.json()
  t.same(body.period, range)
  t.equal(body.tenantId, admin.organizationId)
  t.match(body.aggregatedThrough, /^\d{4}-\d{2}-\d{2}$/)
  t.same(body.summary, {
    totalApiCalls: sumRaw('api_call'),
    totalTokenIssuances: sumRaw('token_issued'),
    totalCredentialRotations: sumRaw('credential_rotated'),
    totalDelegations: 0,
    activeAgentCount: 4, // the admin and the three agents
    averageDailyApiCalls: Math.round(sumRaw('api_call') / 7 * 100) / 100,
    peakDailyApiCalls: sumRaw('api_call'),
    peakDate: '2026-03-10'
  })

  const activity = (await analytics(app, authorization, 'agent-activity', range)).json()
  t.equal(activity.days.length, 7)
  t.equal(activity.days[6], '2026-03-10')
  for (const [index, plan] of traffic.entries()) {
    const row = activity.agents.find((agent: { agentId: string }) => agent.agentId === agents[index]!.agentId)
    if (plan.calls === 0) {
      t.notOk(row, 'an agent without calls has no row')
    } else {
      t.same(row.counts, [0, 0, 0, 0, 0, 0, plan.calls], 'zero days filled')
    }
  }
  const one = (await analytics(app, authorization, 'agent-activity', { ...range, agentId: agents[1]!.agentId })).json()
  t.same(one.agents.map((agent: { agentId: string }) => agent.agentId), [agents[1]!.agentId])

  const trends = (await analytics(app, authorization, 'token-trends', range)).json()
  t.equal(trends.data.length, 7)
  t.same(trends.data[0], { date: '2026-03-04', tokensIssued: 0, credentialRotations: 0 })
  t.same(trends.data[6], { date: '2026-03-10', tokensIssued: sumRaw('token_issued'), credentialRotations: 3 })
})
