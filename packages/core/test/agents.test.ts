import t from 'tap'
import { accessToken, adminSession, agentBody, buildApp, createAgent } from './helpers.js'

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

t.test('the organization keeps an admin who can sign in: its last one can be neither suspended, demoted, decommissioned nor left without a credential', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization, agentId } = await adminSession(app)
  const self = `/api/v1/agents/${agentId}`
  const capabilities = (await app.inject({ url: self, headers: { authorization } })).json().capabilities as string[]
  const [credential] = (await app.inject({ url: `${self}/credentials`, headers: { authorization } })).json().data as Array<{ credentialId: string }>
  const lastCredential = `${self}/credentials/${credential!.credentialId}`

  const refusals = [
    ['PATCH', self, { status: 'suspended' }],
    ['PATCH', self, { capabilities: capabilities.filter((scope) => scope !== 'admin:orgs') }],
    ['DELETE', self, undefined],
    ['DELETE', lastCredential, undefined]
  ] as const
  for (const [method, url, payload] of refusals) {
    const refused = await app.inject({ method, url, headers: { authorization }, ...(payload === undefined ? {} : { payload }) })
    t.equal(refused.statusCode, 409, `${method} ${url} ${JSON.stringify(payload ?? {})}`)
    t.match(refused.json(), { code: 'LAST_ADMIN', message: /admin:orgs/ })
  }
  const still = await app.inject({ url: self, headers: { authorization } })
  t.match(still.json(), { status: 'active', capabilities }, 'nothing changed, and the admin\'s token still works')
  t.equal((await app.inject({ url: `${self}/credentials`, headers: { authorization } })).json().data[0].status, 'active')
  const rotated = await app.inject({ method: 'POST', url: `${lastCredential}/rotate`, headers: { authorization } })
  t.equal(rotated.statusCode, 200, 'rotation replaces the credential, so it is allowed')
  const successor = `${self}/credentials/${rotated.json().credentialId as string}`

  // A second admin without a credential can't sign in, so it doesn't count.
  const second = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody({ capabilities: ['admin:orgs'] }) })
  t.equal(second.statusCode, 201)
  t.equal((await app.inject({ method: 'DELETE', url: successor, headers: { authorization } })).statusCode, 409)
  // With its credential the first may step down, and give up its own.
  const issued = await app.inject({ method: 'POST', url: `/api/v1/agents/${second.json().agentId as string}/credentials`, headers: { authorization } })
  t.equal(issued.statusCode, 201)
  const stepped = await app.inject({ method: 'PATCH', url: self, headers: { authorization }, payload: { capabilities: ['agents:read', 'agents:write'] } })
  t.equal(stepped.statusCode, 200)
  t.same(stepped.json().capabilities, ['agents:read', 'agents:write'])
  t.equal((await app.inject({ method: 'DELETE', url: successor, headers: { authorization } })).statusCode, 204)
})

t.test('with every admin credential expired, the last admin:orgs agent still stays: a new credential can bring it back', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization, agentId, organizationId } = await adminSession(app)
  // Expired behind the API's back; the token issued before stays valid until its own expiry.
  await app.sentryagent.db.query("UPDATE credentials SET expires_at = now() - interval '1 second' WHERE organization_id = $1", [organizationId])
  const demoted = await app.inject({ method: 'PATCH', url: `/api/v1/agents/${agentId}`, headers: { authorization }, payload: { capabilities: ['agents:read'] } })
  t.equal(demoted.statusCode, 409)
  t.equal(demoted.json().code, 'LAST_ADMIN')
  const renewed = await app.inject({ method: 'POST', url: `/api/v1/agents/${agentId}/credentials`, headers: { authorization } })
  t.equal(renewed.statusCode, 201, 'the admin can still give itself a credential')
})

t.test('two admins suspended at once: one change succeeds, the other is refused', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization: admin, agentId } = await adminSession(app)
  const other = await createAgent(app, admin, { capabilities: ['admin:orgs'] })
  // agents:write without admin:orgs: it can suspend admins, and it stays usable whichever is suspended.
  const operator = await createAgent(app, admin, { capabilities: ['agents:write'] })
  const authorization = `Bearer ${await accessToken(app, operator.agentId, operator.clientSecret)}`
  const admins = [agentId, other.agentId]
  for (let round = 1; round <= 5; round++) {
    const answers = await Promise.all(admins.map((id) => app.inject({ method: 'PATCH', url: `/api/v1/agents/${id}`, headers: { authorization }, payload: { status: 'suspended' } })))
    t.same(answers.map((answer) => answer.statusCode).sort(), [200, 409], `round ${round}`)
    const suspended = admins[answers.findIndex((answer) => answer.statusCode === 200)]!
    const reactivated = await app.inject({ method: 'PATCH', url: `/api/v1/agents/${suspended}`, headers: { authorization }, payload: { status: 'active' } })
    t.equal(reactivated.statusCode, 200)
  }
})

t.test('the last admin\'s two credentials revoked at once: one revocation succeeds, the other is refused', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization: admin, agentId } = await adminSession(app)
  const operator = await createAgent(app, admin, { capabilities: ['agents:read', 'agents:write'] })
  const authorization = `Bearer ${await accessToken(app, operator.agentId, operator.clientSecret)}`
  const credentials = `/api/v1/agents/${agentId}/credentials`
  for (let round = 1; round <= 5; round++) {
    const created = await app.inject({ method: 'POST', url: credentials, headers: { authorization } })
    const active = ((await app.inject({ url: credentials, headers: { authorization } })).json().data as Array<{ credentialId: string, status: string }>)
      .filter((credential) => credential.status === 'active')
    t.equal(active.length, 2, `round ${round}: ${created.statusCode}`)
    const answers = await Promise.all(active.map(({ credentialId }) => app.inject({ method: 'DELETE', url: `${credentials}/${credentialId}`, headers: { authorization } })))
    t.same(answers.map((answer) => answer.statusCode).sort(), [204, 409], `round ${round}`)
  }
})
