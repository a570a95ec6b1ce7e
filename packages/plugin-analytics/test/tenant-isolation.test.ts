import t from 'tap'
import { adminSession, analytics, buildApp, createAgent, insertUsage, ManualClock } from './helpers.js'

t.test('one tenant never sees another tenant\'s numbers, nor its agents', async (t) => {
  const clock = new ManualClock('2026-04-02T12:00:00Z')
  const app = await buildApp(t, { core: { clock } })
  const mine = await adminSession(app)
  const theirs = await adminSession(app)
  const theirAgent = await createAgent(app, theirs.authorization)
  await insertUsage(app, [
    { tenantId: theirs.organizationId, agentId: theirAgent.agentId, metric: 'api_call', day: '2026-04-01', count: 500 },
    { tenantId: theirs.organizationId, agentId: theirAgent.agentId, metric: 'token_issued', day: '2026-04-01', count: 50 },
    { tenantId: mine.organizationId, agentId: mine.agentId, metric: 'api_call', day: '2026-04-01', count: 7 }
  ])
  await app.analytics.aggregator.aggregateRange('2026-04-01', '2026-04-01')
  const range = { from: '2026-04-01', to: '2026-04-01' }

  const summary = (await analytics(app, mine.authorization, 'usage-summary', range)).json()
  t.equal(summary.tenantId, mine.organizationId)
  t.equal(summary.summary.totalApiCalls, 7)
  t.equal(summary.summary.totalTokenIssuances, 0)
  const activity = (await analytics(app, mine.authorization, 'agent-activity', range)).json()
  t.same(activity.agents.map((agent: { agentId: string }) => agent.agentId), [mine.agentId])
  const trends = (await analytics(app, mine.authorization, 'token-trends', range)).json()
  t.same(trends.data, [{ date: '2026-04-01', tokensIssued: 0, credentialRotations: 0 }])

  const foreign = await analytics(app, mine.authorization, 'agent-activity', { ...range, agentId: theirAgent.agentId })
  t.equal(foreign.statusCode, 404)
  t.equal(foreign.json().code, 'AGENT_NOT_FOUND')
})
