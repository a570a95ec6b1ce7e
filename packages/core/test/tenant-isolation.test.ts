import t from 'tap'
import { adminSession, agentBody, buildApp, createAgent } from './helpers.js'

t.test('another organization\'s agent answers 404 AGENT_NOT_FOUND everywhere', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const owner = await adminSession(app)
  const intruder = await adminSession(app)
  const agent = await createAgent(app, owner.authorization)
  const base = `/api/v1/agents/${agent.agentId}`

  const requests = [
    { method: 'GET' as const, url: base },
    { method: 'PATCH' as const, url: base, payload: { status: 'suspended' } },
    { method: 'DELETE' as const, url: base },
    { method: 'GET' as const, url: `${base}/credentials` },
    { method: 'POST' as const, url: `${base}/credentials`, payload: {} },
    { method: 'GET' as const, url: `${base}/did` }
  ]
  for (const request of requests) {
    const response = await app.inject({ ...request, headers: { authorization: intruder.authorization } })
    t.equal(response.statusCode, 404, `${request.method} ${request.url}`)
    t.equal(response.json().code, 'AGENT_NOT_FOUND', `${request.method} ${request.url}`)
  }
  for (const request of [{ method: 'POST' as const, url: `${base}/credentials/${agent.credentialId}/rotate` }, { method: 'DELETE' as const, url: `${base}/credentials/${agent.credentialId}` }]) {
    const response = await app.inject({ ...request, headers: { authorization: intruder.authorization } })
    t.equal(response.statusCode, 404, `${request.method} ${request.url}`)
  }

  const untouched = await app.inject({ url: base, headers: { authorization: owner.authorization } })
  t.equal(untouched.json().status, 'active', 'nothing changed for the owner')
  const credentials = await app.inject({ url: `${base}/credentials`, headers: { authorization: owner.authorization } })
  t.same(credentials.json().data.map((c: { status: string }) => c.status), ['active'])
})

t.test('lists show only the organization\'s own agents and audit events', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const first = await adminSession(app)
  const second = await adminSession(app)
  const mine = await createAgent(app, first.authorization)
  const theirs = await createAgent(app, second.authorization, agentBody())

  const listed = await app.inject({ url: '/api/v1/agents', headers: { authorization: first.authorization } })
  const ids = listed.json().data.map((a: { agentId: string }) => a.agentId).sort()
  t.same(ids, [first.agentId, mine.agentId].sort())
  t.equal(listed.json().total, 2)

  const audit = await app.inject({ url: '/api/v1/audit?limit=100', headers: { authorization: first.authorization } })
  t.ok(audit.json().total > 0)
  t.ok(audit.json().data.every((e: { organizationId: string }) => e.organizationId === first.organizationId))
  t.notOk(audit.body.includes(theirs.agentId))
  const filtered = await app.inject({ url: `/api/v1/audit?agentId=${second.agentId}`, headers: { authorization: first.authorization } })
  t.equal(filtered.json().total, 0, 'filtering on a foreign agent finds nothing')
})

t.test('the tenant comes from the token only, not from the body', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const first = await adminSession(app)
  const second = await adminSession(app)

  const created = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization: first.authorization }, payload: { ...agentBody(), organizationId: second.organizationId } })
  t.equal(created.statusCode, 400, 'organizationId is not a body property')
  const plain = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization: first.authorization }, payload: agentBody() })
  t.equal(plain.json().organizationId, first.organizationId)
})
