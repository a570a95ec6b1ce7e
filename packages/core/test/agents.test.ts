import t from 'tap'
import { adminSession, agentBody, buildApp } from './helpers.js'

t.test('registers, reads, lists, updates and decommissions an agent', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization, organizationId } = await adminSession(app)

  const created = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody() })
  t.equal(created.statusCode, 201, created.body)
  const agent = created.json()
  t.match(agent, { organizationId, agentType: 'classifier', status: 'active', capabilities: ['agents:read', 'reports:write'] })

  const fetched = await app.inject({ url: `/api/v1/agents/${agent.agentId}`, headers: { authorization } })
  t.same(fetched.json(), agent)

  const listed = await app.inject({ url: '/api/v1/agents?limit=1&page=1', headers: { authorization } })
  t.match(listed.json(), { page: 1, limit: 1, total: 2 })
  t.equal(listed.json().data.length, 1)

  const updated = await app.inject({ method: 'PATCH', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization }, payload: { version: '2.0.0-beta.1' } })
  t.equal(updated.json().version, '2.0.0-beta.1')

  const deleted = await app.inject({ method: 'DELETE', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization } })
  t.equal(deleted.statusCode, 204)
  const after = await app.inject({ url: `/api/v1/agents/${agent.agentId}`, headers: { authorization } })
  t.equal(after.json().status, 'decommissioned')
  const filtered = await app.inject({ url: '/api/v1/agents?status=decommissioned', headers: { authorization } })
  t.equal(filtered.json().total, 1)
})
