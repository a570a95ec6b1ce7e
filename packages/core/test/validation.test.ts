import t from 'tap'
import { adminSession, agentBody, buildApp, createAgent } from './helpers.js'

t.test('a malformed JSON body is 400 VALIDATION_ERROR', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)

  const response = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization, 'content-type': 'application/json' }, payload: '{"email": ' })
  t.equal(response.statusCode, 400)
  t.equal(response.json().code, 'VALIDATION_ERROR')
})

t.test('schema violations are 400 VALIDATION_ERROR with details', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)

  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['bad email', { email: 'not-an-email' }, { path: '/email' }],
    ['bad semver', { version: '1.2' }, { path: '/version' }],
    ['semver with a leading zero', { version: '01.2.3' }, { path: '/version' }],
    ['empty capabilities', { capabilities: [] }, { path: '/capabilities' }],
    ['capability that is not resource:action', { capabilities: ['admin'] }, { path: '/capabilities/0' }],
    ['duplicate capabilities', { capabilities: ['a:b', 'a:b'] }, { path: '/capabilities' }],
    ['bad agentType', { agentType: 'robot' }, { path: '/agentType' }],
    ['bad deploymentEnv', { deploymentEnv: 'qa' }, { path: '/deploymentEnv' }],
    ['unknown property', { color: 'blue' }, { path: '/', property: 'color' }],
    ['owner longer than 128 characters', { owner: 'o'.repeat(129) }, { path: '/owner' }],
    ['empty owner', { owner: '' }, { path: '/owner' }],
    ['missing field', { email: undefined }, { path: '/' }]
  ]
  for (const [name, overrides, detail] of cases) {
    const response = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody(overrides) })
    t.equal(response.statusCode, 400, `${name}: ${response.body}`)
    t.equal(response.json().code, 'VALIDATION_ERROR', name)
    t.match(response.json().details, [{ location: 'body', message: String, ...detail }], name)
  }
  const owner = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody({ owner: 'o'.repeat(128), version: '1.0.0-rc.1+build.5' }) })
  t.equal(owner.statusCode, 201, 'the limits themselves are accepted')
})

t.test('PATCH validates too: an empty body, a decommissioned status or an unknown field', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)

  for (const payload of [{}, { status: 'decommissioned' }, { agentId: agent.agentId }, { version: 'latest' }]) {
    const response = await app.inject({ method: 'PATCH', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization }, payload })
    t.equal(response.statusCode, 400, JSON.stringify(payload))
    t.equal(response.json().code, 'VALIDATION_ERROR')
  }
})

t.test('a duplicate email is 409 AGENT_ALREADY_EXISTS, case-insensitively, on create and update', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const body = agentBody()
  const first = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: body })
  t.equal(first.statusCode, 201)

  const duplicate = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody({ email: String(body.email).toUpperCase() }) })
  t.equal(duplicate.statusCode, 409)
  t.equal(duplicate.json().code, 'AGENT_ALREADY_EXISTS')

  const other = await createAgent(app, authorization)
  const renamed = await app.inject({ method: 'PATCH', url: `/api/v1/agents/${other.agentId}`, headers: { authorization }, payload: { email: body.email } })
  t.equal(renamed.statusCode, 409)
  t.equal(renamed.json().code, 'AGENT_ALREADY_EXISTS')
})

t.test('an oversized token request is refused in our error shape', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { clientId, clientSecret } = await adminSession(app)

  for (const [contentType, payload] of [
    ['application/json', JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'agents:read '.repeat(1500) })],
    ['application/x-www-form-urlencoded', new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, padding: 'x'.repeat(17 * 1024) }).toString()]
  ] as const) {
    const response = await app.inject({ method: 'POST', url: '/api/v1/token', headers: { 'content-type': contentType }, payload })
    t.equal(response.statusCode, 413, contentType)
    t.equal(response.json().code, 'PAYLOAD_TOO_LARGE', contentType)
  }
})

t.test('query and path parameters are validated', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization, agentId } = await adminSession(app)

  for (const url of ['/api/v1/agents?limit=101', '/api/v1/agents?limit=0', '/api/v1/agents?page=0', '/api/v1/agents?status=gone', '/api/v1/agents?sort=name',
    '/api/v1/audit?limit=500', '/api/v1/audit?page=1000001', '/api/v1/audit?agentId=nope', '/api/v1/audit?from=yesterday', `/api/v1/agents/${agentId}/credentials?limit=1000`, '/api/v1/agents/not-a-uuid']) {
    const response = await app.inject({ url, headers: { authorization } })
    t.equal(response.statusCode, 400, url)
    t.equal(response.json().code, 'VALIDATION_ERROR', url)
    t.type(response.json().details, Array, url)
  }
  t.equal((await app.inject({ url: '/api/v1/agents?limit=100', headers: { authorization } })).statusCode, 200)
})

t.test('an unsupported content type is 415 UNSUPPORTED_MEDIA_TYPE', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)

  const response = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization, 'content-type': 'application/xml' }, payload: '<agent/>' })
  t.equal(response.statusCode, 415)
  t.equal(response.json().code, 'UNSUPPORTED_MEDIA_TYPE')
})

// Found by the fuzzers (packages/system-tests): text and instants the schemas admit but PostgreSQL refuses.
t.test('what PostgreSQL cannot store is a 400 or is brought into its range, never a 500', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization, agentId } = await adminSession(app)

  for (const body of [agentBody({ owner: 'nul\u0000inside' }), agentBody({ skills: [{ id: 's', name: 'nul \u0000 in JSON', description: 'd', tags: ['t'] }] })]) {
    const response = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: body })
    t.equal(response.statusCode, 400, JSON.stringify(body))
    t.equal(response.json().code, 'VALIDATION_ERROR')
  }
  for (const from of ['0442-07-14T10:50:57.779940-18:25', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59-23:59']) {
    const response = await app.inject({ url: `/api/v1/audit?from=${encodeURIComponent(from)}`, headers: { authorization } })
    t.equal(response.statusCode, 200, from)
  }
  t.equal((await app.inject({ url: '/api/v1/audit?page=1000000&limit=100', headers: { authorization } })).statusCode, 200, 'the last page')
  // A leap second is a valid RFC 3339 date-time that names no instant JavaScript knows.
  const leap = await app.inject({ url: `/api/v1/audit?to=${encodeURIComponent('2016-12-31T23:59:60Z')}`, headers: { authorization } })
  t.equal(leap.statusCode, 400)
  t.equal(leap.json().code, 'VALIDATION_ERROR')
  const leapExpiry = await app.inject({ method: 'POST', url: `/api/v1/agents/${agentId}/credentials`, headers: { authorization }, payload: { expiresAt: '2099-12-31T23:59:60Z' } })
  t.equal(leapExpiry.statusCode, 400)
  const farFuture = await app.inject({ method: 'POST', url: `/api/v1/agents/${agentId}/credentials`, headers: { authorization }, payload: { expiresAt: '9999-12-31T23:59:59-18:25' } })
  t.equal(farFuture.statusCode, 201)
  t.equal(farFuture.json().expiresAt, '9999-12-31T23:59:59.999Z', 'past the last year PostgreSQL is given: its last instant')
})
