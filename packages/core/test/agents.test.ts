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

t.test('lists filter by status, agentType and deploymentEnv, newest first, with a correct total past the last page', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization, agentId: adminId } = await adminSession(app)
  const create = async (overrides: Record<string, unknown>): Promise<string> =>
    (await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody(overrides) })).json().agentId
  const router = await create({ agentType: 'router', deploymentEnv: 'production' })
  const monitor = await create({ agentType: 'monitor', deploymentEnv: 'production' })
  const summarizer = await create({ agentType: 'summarizer', deploymentEnv: 'development' })
  await app.inject({ method: 'PATCH', url: `/api/v1/agents/${monitor}`, headers: { authorization }, payload: { status: 'suspended' } })

  const ids = async (query: string): Promise<string[]> =>
    (await app.inject({ url: `/api/v1/agents?${query}`, headers: { authorization } })).json().data.map((a: { agentId: string }) => a.agentId)
  t.same(await ids(''), [summarizer, monitor, router, adminId])
  t.same(await ids('agentType=router'), [router])
  t.same(await ids('deploymentEnv=production'), [monitor, router, adminId])
  t.same(await ids('deploymentEnv=production&status=active'), [router, adminId])
  t.same(await ids('status=suspended'), [monitor])
  t.same(await ids('agentType=extractor'), [])

  const beyond = (await app.inject({ url: '/api/v1/agents?page=9&limit=2', headers: { authorization } })).json()
  t.same(beyond, { data: [], page: 9, limit: 2, total: 4 })
  const emptyFilter = (await app.inject({ url: '/api/v1/agents?agentType=extractor', headers: { authorization } })).json()
  t.equal(emptyFilter.total, 0)
})

t.test('an update changes only the fields given; suspension and reactivation are updates', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = (await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody() })).json()

  const updated = (await app.inject({ method: 'PATCH', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization }, payload: { capabilities: ['x:y'], owner: 'team-b', deploymentEnv: 'production', agentType: 'custom', email: 'NEW-' + agent.email } })).json()
  t.match(updated, { ...agent, capabilities: ['x:y'], owner: 'team-b', deploymentEnv: 'production', agentType: 'custom', email: 'NEW-' + agent.email, updatedAt: String })
  t.ok(updated.updatedAt >= agent.updatedAt)
  t.equal(updated.createdAt, agent.createdAt)

  const suspended = await app.inject({ method: 'PATCH', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization }, payload: { status: 'suspended' } })
  t.equal(suspended.json().status, 'suspended')
  const reactivated = await app.inject({ method: 'PATCH', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization }, payload: { status: 'active' } })
  t.equal(reactivated.json().status, 'active')
})

t.test('a decommissioned agent cannot be updated, and an unknown one is AGENT_NOT_FOUND', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = (await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody() })).json()
  await app.inject({ method: 'DELETE', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization } })

  const revived = await app.inject({ method: 'PATCH', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization }, payload: { status: 'active' } })
  t.equal(revived.statusCode, 404)
  t.equal(revived.json().code, 'AGENT_NOT_FOUND')
  t.equal((await app.inject({ url: `/api/v1/agents/${agent.agentId}`, headers: { authorization } })).json().status, 'decommissioned')

  const unknown = '00000000-0000-4000-8000-000000000000'
  for (const method of ['GET', 'DELETE'] as const) {
    const response = await app.inject({ method, url: `/api/v1/agents/${unknown}`, headers: { authorization } })
    t.equal(response.statusCode, 404, method)
    t.equal(response.json().code, 'AGENT_NOT_FOUND', method)
  }
})
