import { randomUUID } from 'node:crypto'
import t from 'tap'
import { adminSession, buildApp, createAgent, requestToken } from './helpers.js'

t.test('a scope outside the capabilities is invalid_scope', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)

  const response = await requestToken(app, { grant_type: 'client_credentials', client_id: agent.agentId, client_secret: agent.clientSecret, scope: 'agents:read admin:orgs' })
  t.equal(response.statusCode, 400)
  t.equal(response.json().error, 'invalid_scope')
  t.type(response.json().error_description, 'string')
})

t.test('a wrong secret is invalid_client with a Basic challenge', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)

  const response = await requestToken(app, { grant_type: 'client_credentials', client_id: agent.agentId, client_secret: `${agent.clientSecret}x` })
  t.equal(response.statusCode, 401)
  t.equal(response.json().error, 'invalid_client')
  t.match(response.headers['www-authenticate'], /^Basic /)
  t.equal(response.headers['cache-control'], 'no-store')
})

t.test('an unknown client, or a client id that is not a uuid, is invalid_client', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { clientSecret } = await adminSession(app)

  for (const clientId of [randomUUID(), 'not-a-uuid', "' OR 1=1 --"]) {
    const response = await requestToken(app, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret })
    t.equal(response.statusCode, 401, clientId)
    t.equal(response.json().error, 'invalid_client', clientId)
  }
})

t.test('missing client authentication is invalid_client', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { clientId } = await adminSession(app)

  const response = await requestToken(app, { grant_type: 'client_credentials', client_id: clientId })
  t.equal(response.statusCode, 401)
  t.equal(response.json().error, 'invalid_client')
})

t.test('an unknown grant type is unsupported_grant_type', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { clientId, clientSecret } = await adminSession(app)

  const response = await requestToken(app, { grant_type: 'password', client_id: clientId, client_secret: clientSecret })
  t.equal(response.statusCode, 400)
  t.equal(response.json().error, 'unsupported_grant_type')
})

t.test('a body without grant_type, malformed or empty is invalid_request', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { clientId, clientSecret } = await adminSession(app)
  const json = { 'content-type': 'application/json' }

  const cases = [
    { name: 'missing grant_type', payload: JSON.stringify({ client_id: clientId, client_secret: clientSecret }), headers: json },
    { name: 'empty grant_type', payload: JSON.stringify({ grant_type: '', client_id: clientId, client_secret: clientSecret }), headers: json },
    { name: 'malformed JSON', payload: '{"grant_type": "client_credentials",', headers: json },
    { name: 'empty JSON body', payload: '', headers: json },
    { name: 'empty form body', payload: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } }
  ]
  for (const { name, payload, headers } of cases) {
    const response = await app.inject({ method: 'POST', url: '/api/v1/token', headers, payload })
    t.equal(response.statusCode, 400, `${name}: ${response.body}`)
    t.equal(response.json().error, 'invalid_request', name)
  }
})

t.test('HTTP Basic and a body secret together are invalid_request; malformed Basic is invalid_client', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { clientId, clientSecret } = await adminSession(app)
  const basic = (value: string): string => `Basic ${Buffer.from(value).toString('base64')}`

  const both = await requestToken(app, { grant_type: 'client_credentials', client_secret: clientSecret }, { headers: { authorization: basic(`${clientId}:${clientSecret}`) } })
  t.equal(both.statusCode, 400)
  t.equal(both.json().error, 'invalid_request')

  for (const value of [`${clientId}${clientSecret}`, `${clientId}:%E0%A4%A`]) {
    const response = await requestToken(app, { grant_type: 'client_credentials' }, { headers: { authorization: basic(value) } })
    t.equal(response.statusCode, 401, value)
    t.equal(response.json().error, 'invalid_client', value)
  }
})

t.test('suspended and decommissioned agents cannot get tokens', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const suspended = await createAgent(app, authorization)
  const decommissioned = await createAgent(app, authorization)

  const suspend = await app.inject({ method: 'PATCH', url: `/api/v1/agents/${suspended.agentId}`, headers: { authorization }, payload: { status: 'suspended' } })
  t.equal(suspend.json().status, 'suspended')
  const remove = await app.inject({ method: 'DELETE', url: `/api/v1/agents/${decommissioned.agentId}`, headers: { authorization } })
  t.equal(remove.statusCode, 204)

  for (const agent of [suspended, decommissioned]) {
    const response = await requestToken(app, { grant_type: 'client_credentials', client_id: agent.agentId, client_secret: agent.clientSecret })
    t.equal(response.statusCode, 400)
    t.equal(response.json().error, 'unauthorized_client')
  }
})
