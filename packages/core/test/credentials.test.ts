import t from 'tap'
import { ManualClock, accessToken, adminSession, buildApp, createAgent, requestToken } from './helpers.js'

const CREDENTIAL_FIELDS = ['clientId', 'createdAt', 'credentialId', 'expiresAt', 'revokedAt', 'signingKeyId', 'status']

t.test('create returns an sk_live_ secret once; lists never show secrets or digests', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)

  const created = await app.inject({ method: 'POST', url: `/api/v1/agents/${agent.agentId}/credentials`, headers: { authorization }, payload: {} })
  t.equal(created.statusCode, 201, created.body)
  t.equal(created.headers['cache-control'], 'no-store')
  const credential = created.json()
  t.match(credential, { clientId: agent.agentId, status: 'active', expiresAt: null, revokedAt: null })
  t.match(credential.clientSecret, /^sk_live_[A-Za-z0-9_-]{43}$/, '256 bits, base64url')

  const listed = await app.inject({ url: `/api/v1/agents/${agent.agentId}/credentials`, headers: { authorization } })
  t.equal(listed.statusCode, 200)
  t.match(listed.json(), { page: 1, limit: 20, total: 2 })
  for (const item of listed.json().data) t.same(Object.keys(item).sort(), CREDENTIAL_FIELDS)
  t.notOk(listed.body.includes(credential.clientSecret))
  t.notOk(listed.body.includes(agent.clientSecret))
  const paged = await app.inject({ url: `/api/v1/agents/${agent.agentId}/credentials?limit=1&page=2`, headers: { authorization } })
  t.match(paged.json(), { page: 2, limit: 1, total: 2 })
  t.equal(paged.json().data.length, 1)
})

t.test('an agent may hold several active credentials, each secret working', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)
  const second = await app.inject({ method: 'POST', url: `/api/v1/agents/${agent.agentId}/credentials`, headers: { authorization } })
  t.equal(second.statusCode, 201, 'a POST without a body is accepted')

  for (const secret of [agent.clientSecret, second.json().clientSecret]) {
    await t.resolves(accessToken(app, agent.agentId, secret))
  }
  const listed = await app.inject({ url: `/api/v1/agents/${agent.agentId}/credentials`, headers: { authorization } })
  t.same(listed.json().data.map((c: { status: string }) => c.status), ['active', 'active'])
})

t.test('rotate revokes the old secret and returns a working new one', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)

  const rotated = await app.inject({ method: 'POST', url: `/api/v1/agents/${agent.agentId}/credentials/${agent.credentialId}/rotate`, headers: { authorization } })
  t.equal(rotated.statusCode, 200, rotated.body)
  t.equal(rotated.headers['cache-control'], 'no-store')
  const successor = rotated.json()
  t.not(successor.credentialId, agent.credentialId)
  t.not(successor.clientSecret, agent.clientSecret)
  t.match(successor.clientSecret, /^sk_live_/)

  const old = await requestToken(app, { grant_type: 'client_credentials', client_id: agent.agentId, client_secret: agent.clientSecret })
  t.equal(old.statusCode, 401)
  t.equal(old.json().error, 'invalid_client')
  await t.resolves(accessToken(app, agent.agentId, successor.clientSecret))

  const listed = await app.inject({ url: `/api/v1/agents/${agent.agentId}/credentials`, headers: { authorization } })
  const previous = listed.json().data.find((c: { credentialId: string }) => c.credentialId === agent.credentialId)
  t.match(previous, { status: 'revoked', revokedAt: String })

  const again = await app.inject({ method: 'POST', url: `/api/v1/agents/${agent.agentId}/credentials/${agent.credentialId}/rotate`, headers: { authorization } })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'CREDENTIAL_ALREADY_REVOKED')
})

t.test('revoke is idempotent and the revoked secret stops working', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)
  const url = `/api/v1/agents/${agent.agentId}/credentials/${agent.credentialId}`

  t.equal((await app.inject({ method: 'DELETE', url, headers: { authorization } })).statusCode, 204)
  t.equal((await app.inject({ method: 'DELETE', url, headers: { authorization } })).statusCode, 204)
  const refused = await requestToken(app, { grant_type: 'client_credentials', client_id: agent.agentId, client_secret: agent.clientSecret })
  t.equal(refused.json().error, 'invalid_client')

  const audit = await app.inject({ url: `/api/v1/audit?action=credential.revoked&agentId=${(await adminSession(app)).agentId}`, headers: { authorization } })
  t.equal(audit.json().total, 0, 'another organization sees nothing')
  const own = await app.inject({ url: '/api/v1/audit?action=credential.revoked', headers: { authorization } })
  t.equal(own.json().total, 1, 'only the first revocation is an event')
})

t.test('an unknown credential is CREDENTIAL_NOT_FOUND', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)
  const other = await createAgent(app, authorization)
  // A real credential, but of another agent.
  const url = `/api/v1/agents/${agent.agentId}/credentials/${other.credentialId}`

  for (const request of [{ method: 'DELETE' as const, url }, { method: 'POST' as const, url: `${url}/rotate` }]) {
    const response = await app.inject({ ...request, headers: { authorization } })
    t.equal(response.statusCode, 404)
    t.equal(response.json().code, 'CREDENTIAL_NOT_FOUND')
  }
})

t.test('expiry: a past expiresAt is refused, and a credential stops working once it expires', async (t) => {
  const clock = new ManualClock()
  const app = await buildApp({ clock })
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)
  const url = `/api/v1/agents/${agent.agentId}/credentials`

  const past = await app.inject({ method: 'POST', url, headers: { authorization }, payload: { expiresAt: new Date(clock.now().getTime() - 1000).toISOString() } })
  t.equal(past.statusCode, 400)
  t.equal(past.json().code, 'VALIDATION_ERROR')
  const invalid = await app.inject({ method: 'POST', url, headers: { authorization }, payload: { expiresAt: 'tomorrow' } })
  t.equal(invalid.json().code, 'VALIDATION_ERROR')

  const expiresAt = new Date(clock.now().getTime() + 3600_000).toISOString()
  const expiring = await app.inject({ method: 'POST', url, headers: { authorization }, payload: { expiresAt } })
  t.equal(expiring.statusCode, 201)
  t.equal(expiring.json().expiresAt, expiresAt)
  await t.resolves(accessToken(app, agent.agentId, expiring.json().clientSecret))

  const rotated = await app.inject({ method: 'POST', url: `${url}/${expiring.json().credentialId}/rotate`, headers: { authorization } })
  t.equal(rotated.json().expiresAt, expiresAt, 'the successor keeps the expiry')

  clock.advance(3601)
  const expired = await requestToken(app, { grant_type: 'client_credentials', client_id: agent.agentId, client_secret: rotated.json().clientSecret })
  t.equal(expired.statusCode, 401)
  t.equal(expired.json().error, 'invalid_client')
  await t.resolves(accessToken(app, agent.agentId, agent.clientSecret), 'a credential without expiry still works')
})

t.test('a decommissioned agent gets no new credential', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)
  await app.inject({ method: 'DELETE', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization } })

  for (const url of [`/api/v1/agents/${agent.agentId}/credentials`, `/api/v1/agents/${agent.agentId}/credentials/${agent.credentialId}/rotate`]) {
    const response = await app.inject({ method: 'POST', url, headers: { authorization } })
    t.equal(response.statusCode, 409, url)
    t.equal(response.json().code, 'AGENT_NOT_ACTIVE', url)
  }
})
