import t from 'tap'
import { accessToken, adminSession, buildApp, createAgent, createPool, requestToken } from './helpers.js'

interface Event { eventId: string, action: string, outcome: string, agentId: string | null, sequence: number, details: Record<string, unknown>, hash: string }

t.test('mutations, token issuance and auth failures are recorded', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization, agentId: adminId, clientId, clientSecret, organizationId } = await adminSession(app)
  const agent = await createAgent(app, authorization)
  await app.inject({ method: 'POST', url: `/api/v1/agents/${agent.agentId}/credentials/${agent.credentialId}/rotate`, headers: { authorization } })
  await requestToken(app, { grant_type: 'client_credentials', client_id: agent.agentId, client_secret: 'sk_live_wrong' })
  const readOnly = await accessToken(app, clientId, clientSecret, 'agents:read')
  await app.inject({ url: '/api/v1/audit', headers: { authorization: `Bearer ${readOnly}` } })
  await app.inject({ method: 'PATCH', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization }, payload: { status: 'suspended' } })
  await app.inject({ method: 'PATCH', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization }, payload: { owner: 'team-b' } })
  await app.inject({ method: 'DELETE', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization } })

  const response = await app.inject({ url: '/api/v1/audit?limit=100', headers: { authorization } })
  t.equal(response.statusCode, 200)
  const events = response.json().data as Event[]
  const find = (action: string): Event | undefined => events.find((e) => e.action === action)
  t.match(find('organization.created'), { agentId: null, outcome: 'success', details: { adminAgentId: adminId } })
  t.match(find('agent.created'), { agentId: adminId, outcome: 'success', details: { targetAgentId: agent.agentId } })
  t.match(find('credential.rotated'), { agentId: adminId, details: { targetAgentId: agent.agentId, credentialId: agent.credentialId, replacedBy: String } })
  t.match(find('token.issued'), { agentId: adminId, outcome: 'success', details: { credentialId: String, jti: String } })
  t.match(find('token.issue_failed'), { agentId: agent.agentId, outcome: 'failure', details: { reason: 'invalid_client' } })
  t.match(find('auth.forbidden'), { agentId: adminId, outcome: 'failure', details: { route: '/api/v1/audit', missingScopes: ['audit:read'] } })
  t.match(find('agent.suspended'), { details: { targetAgentId: agent.agentId, changed: ['status'] } })
  t.match(find('agent.updated'), { details: { changed: ['owner'] } })
  t.match(find('agent.decommissioned'), { details: { targetAgentId: agent.agentId } })
  t.ok(events.every((e) => (e as unknown as { organizationId: string }).organizationId === organizationId))
  t.notOk(response.body.includes(clientSecret), 'no secret in the audit log')
})

t.test('a token refused to a suspended agent is a failure event', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)
  await app.inject({ method: 'PATCH', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization }, payload: { status: 'suspended' } })
  await requestToken(app, { grant_type: 'client_credentials', client_id: agent.agentId, client_secret: agent.clientSecret })

  const response = await app.inject({ url: `/api/v1/audit?action=token.issue_failed&agentId=${agent.agentId}`, headers: { authorization } })
  t.equal(response.json().total, 1)
  t.match(response.json().data[0], { outcome: 'failure', details: { reason: 'agent_suspended' } })
})

t.test('GET /audit lists newest first, filters and paginates', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization, agentId: adminId } = await adminSession(app)
  const agents = []
  for (let i = 0; i < 3; i++) agents.push(await createAgent(app, authorization))
  await requestToken(app, { grant_type: 'client_credentials', client_id: agents[0]!.agentId, client_secret: 'sk_live_wrong' })

  const all = (await app.inject({ url: '/api/v1/audit?limit=100', headers: { authorization } })).json()
  const sequences = all.data.map((e: Event) => e.sequence)
  t.same(sequences, [...sequences].sort((a: number, b: number) => b - a), 'newest first')
  t.equal(sequences[0], all.total)

  const created = (await app.inject({ url: '/api/v1/audit?action=agent.created', headers: { authorization } })).json()
  t.equal(created.total, 3)
  t.same(created.data.map((e: Event) => e.details.targetAgentId), agents.map((a) => a.agentId).reverse())

  const failures = (await app.inject({ url: '/api/v1/audit?outcome=failure', headers: { authorization } })).json()
  t.equal(failures.total, 1)
  t.equal(failures.data[0].agentId, agents[0]!.agentId)
  const byAgent = (await app.inject({ url: `/api/v1/audit?agentId=${agents[0]!.agentId}`, headers: { authorization } })).json()
  t.same(byAgent.data.map((e: Event) => e.action), ['token.issue_failed'])
  const combined = (await app.inject({ url: `/api/v1/audit?agentId=${adminId}&action=credential.created&outcome=success`, headers: { authorization } })).json()
  t.equal(combined.total, 3)

  const page1 = (await app.inject({ url: '/api/v1/audit?limit=2&page=1', headers: { authorization } })).json()
  const page2 = (await app.inject({ url: '/api/v1/audit?limit=2&page=2', headers: { authorization } })).json()
  t.match(page1, { page: 1, limit: 2, total: all.total })
  t.same([...page1.data, ...page2.data].map((e: Event) => e.eventId), all.data.slice(0, 4).map((e: Event) => e.eventId))
  const beyond = (await app.inject({ url: '/api/v1/audit?limit=2&page=100', headers: { authorization } })).json()
  t.match(beyond, { data: [], total: all.total })
})

t.test('GET /audit filters by time window', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const before = new Date()
  await new Promise((resolve) => setTimeout(resolve, 20))
  await createAgent(app, authorization)

  const since = (await app.inject({ url: `/api/v1/audit?from=${before.toISOString()}`, headers: { authorization } })).json()
  t.same(since.data.map((e: Event) => e.action).sort(), ['agent.created', 'credential.created'])
  const until = (await app.inject({ url: `/api/v1/audit?to=${before.toISOString()}`, headers: { authorization } })).json()
  t.ok(until.data.every((e: Event) => !['agent.created'].includes(e.action)))
  t.ok(until.total > 0)
})

t.test('GET /audit/verify accepts an intact chain and finds a tampered event', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const pool = createPool()
  t.teardown(() => pool.end())
  const { authorization, organizationId } = await adminSession(app)
  const agent = await createAgent(app, authorization)

  const intact = await app.inject({ url: '/api/v1/audit/verify', headers: { authorization } })
  t.equal(intact.statusCode, 200)
  const events = (await app.inject({ url: '/api/v1/audit?limit=100', headers: { authorization } })).json().data as Event[]
  t.same(intact.json(), { valid: true, eventsChecked: events.length, firstInvalidEventId: null, headHash: events[0]!.hash })

  const target = events.find((e) => e.action === 'agent.created')!
  await pool.query(`UPDATE audit_events SET details = details || '{"targetAgentId": "00000000-0000-4000-8000-000000000000"}' WHERE event_id = $1`, [target.eventId])
  const tampered = (await app.inject({ url: '/api/v1/audit/verify', headers: { authorization } })).json()
  t.match(tampered, { valid: false, firstInvalidEventId: target.eventId, eventsChecked: target.sequence - 1 })
  t.not(agent.agentId, '00000000-0000-4000-8000-000000000000')
  t.equal((await pool.query('SELECT 1 FROM audit_events WHERE organization_id = $1', [organizationId])).rowCount, events.length)
})

t.test('verify notices a deleted event in the middle and at the end of the chain', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const pool = createPool()
  t.teardown(() => pool.end())
  const { authorization } = await adminSession(app)
  await createAgent(app, authorization)
  await createAgent(app, authorization)
  const events = ((await app.inject({ url: '/api/v1/audit?limit=100', headers: { authorization } })).json().data as Event[]).reverse()
  t.ok(events.length >= 5)

  await pool.query('DELETE FROM audit_events WHERE event_id = $1', [events[2]!.eventId])
  t.match((await app.inject({ url: '/api/v1/audit/verify', headers: { authorization } })).json(), { valid: false, firstInvalidEventId: events[3]!.eventId })

  await pool.query('DELETE FROM audit_events WHERE event_id = ANY($1::uuid[])', [events.slice(0, 4).map((e) => e.eventId)])
  const anchored = (await app.inject({ url: '/api/v1/audit/verify', headers: { authorization } })).json()
  t.match(anchored, { valid: true, firstInvalidEventId: null }, 'retention cuts the oldest events; the first kept one anchors the chain')

  await pool.query('DELETE FROM audit_events WHERE event_id = $1', [events.at(-1)!.eventId])
  t.match((await app.inject({ url: '/api/v1/audit/verify', headers: { authorization } })).json(), { valid: false, firstInvalidEventId: null }, 'a truncated end no longer matches the head')
})

t.test('50 concurrent token requests all succeed and the chain stays consecutive and valid', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization, clientId, clientSecret } = await adminSession(app)

  const responses = await Promise.all(Array.from({ length: 50 }, async () =>
    requestToken(app, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret })))
  t.same(responses.map((r) => r.statusCode), Array(50).fill(200))

  const events = (await app.inject({ url: '/api/v1/audit?limit=100', headers: { authorization } })).json()
  t.equal(events.data.filter((e: Event) => e.action === 'token.issued').length, 51)
  const sequences = events.data.map((e: Event) => e.sequence).sort((a: number, b: number) => a - b)
  t.same(sequences, Array.from({ length: events.total }, (_, i) => i + 1))
  t.match((await app.inject({ url: '/api/v1/audit/verify', headers: { authorization } })).json(), { valid: true, eventsChecked: events.total })
})

t.test('concurrent writes from two instances to one organization keep one valid chain', async (t) => {
  const first = await buildApp()
  t.teardown(() => first.close())
  const second = await buildApp()
  t.teardown(() => second.close())
  const { authorization, clientId, clientSecret } = await adminSession(first)

  await Promise.all(Array.from({ length: 40 }, async (_, i) =>
    requestToken(i % 2 === 0 ? first : second, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret })))
  const verification = (await first.inject({ url: '/api/v1/audit/verify', headers: { authorization } })).json()
  t.match(verification, { valid: true, eventsChecked: 3 + 40 }, 'organization.created, credential.created, the first token.issued, then 40 more')
})

t.test('two instances appending to one organization at once re-seal on each other\'s heads: one consecutive, valid chain', async (t) => {
  const first = await buildApp()
  t.teardown(() => first.close())
  const second = await buildApp()
  t.teardown(() => second.close())
  const { authorization, organizationId } = await adminSession(first)
  const instances = [first, second]

  // Each round, both instances append with the head they cached last round, which the other moved.
  for (let round = 0; round < 10; round++) {
    await Promise.all(Array.from({ length: 10 }, async (_, i) =>
      instances[i % 2]!.sentryagent.audit.record({ organizationId, agentId: null, action: 'test.concurrent', details: { round, i } })))
  }
  const conflicts = async (app: typeof first): Promise<number> =>
    (await app.sentryagent.metrics.getSingleMetric('agentidp_audit_head_conflicts_total')!.get()).values[0]?.value ?? 0
  t.ok(await conflicts(first) + await conflicts(second) > 0, 'the conflict path ran')

  const pool = createPool()
  t.teardown(() => pool.end())
  const { rows } = await pool.query<{ sequence: string, action: string }>('SELECT sequence, action FROM audit_events WHERE organization_id = $1 ORDER BY sequence', [organizationId])
  t.equal(rows.filter((row) => row.action === 'test.concurrent').length, 100)
  t.same(rows.map((row) => Number(row.sequence)), Array.from({ length: rows.length }, (_, i) => i + 1))
  for (const app of instances) {
    t.match((await app.inject({ url: '/api/v1/audit/verify', headers: { authorization } })).json(), { valid: true, eventsChecked: rows.length })
  }
})

t.test('a failed append makes the instance read its heads again', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization, organizationId } = await adminSession(app)
  await t.rejects(app.sentryagent.audit.record({ organizationId, agentId: 'not-a-uuid', action: 'test.broken' }))
  await app.sentryagent.audit.record({ organizationId, agentId: null, action: 'test.after' })
  t.match((await app.inject({ url: '/api/v1/audit/verify', headers: { authorization } })).json(), { valid: true })
})

t.test('audit needs audit:read', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { clientId, clientSecret } = await adminSession(app)
  const token = await accessToken(app, clientId, clientSecret, 'agents:read')

  for (const url of ['/api/v1/audit', '/api/v1/audit/verify']) {
    const response = await app.inject({ url, headers: { authorization: `Bearer ${token}` } })
    t.equal(response.statusCode, 403, url)
    t.equal(response.json().code, 'FORBIDDEN', url)
  }
})
