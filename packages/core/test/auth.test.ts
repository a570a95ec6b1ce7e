import t, { type Test } from 'tap'
import { SignJWT, decodeJwt, decodeProtectedHeader, importPKCS8 } from 'jose'
import type { LightMyRequestResponse } from 'fastify'
import { SigningKeys, principalOf } from '../src/index.js'
import { ManualClock, accessToken, adminSession, buildApp, createAgent } from './helpers.js'

function assertUnauthorized (t: Test, response: LightMyRequestResponse, error: string, name = ''): void {
  t.equal(response.statusCode, 401, `${name} ${response.body}`)
  t.equal(response.json().code, 'UNAUTHORIZED', name)
  t.match(response.headers['www-authenticate'], new RegExp(`^Bearer realm="sentryagent", error="${error}"$`), name)
}

t.test('a missing or malformed Authorization header is 401 with a Bearer challenge', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { token } = await adminSession(app)

  assertUnauthorized(t, await app.inject({ url: '/api/v1/agents' }), 'invalid_request', 'missing')
  for (const authorization of [`Token ${token}`, 'Bearer', `Bearer ${token} extra`, `Bearer  ${token}`, `Basic ${token}`]) {
    assertUnauthorized(t, await app.inject({ url: '/api/v1/agents', headers: { authorization } }), 'invalid_request', authorization.slice(0, 12))
  }
  assertUnauthorized(t, await app.inject({ url: '/api/v1/agents', headers: { authorization: 'Bearer not.a.jwt' } }), 'invalid_token', 'not a jwt')
  t.equal((await app.inject({ url: '/api/v1/agents', headers: { authorization: `bearer ${token}` } })).statusCode, 200, 'the scheme is case-insensitive')
})

t.test('an expired token is refused, whether or not it was verified before', async (t) => {
  const clock = new ManualClock()
  const app = await buildApp({ clock })
  t.teardown(() => app.close())
  const { clientId, clientSecret } = await adminSession(app)
  const used = await accessToken(app, clientId, clientSecret)
  const unused = await accessToken(app, clientId, clientSecret)
  t.equal((await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${used}` } })).statusCode, 200)

  clock.advance(3599)
  t.equal((await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${used}` } })).statusCode, 200, 'still valid a second before exp')
  clock.advance(2)
  assertUnauthorized(t, await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${used}` } }), 'invalid_token', 'cached')
  assertUnauthorized(t, await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${unused}` } }), 'invalid_token', 'fresh')
})

t.test('a token signed by another key with the same kid is refused', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { token } = await adminSession(app)
  const otherKey = await importPKCS8(SigningKeys.generatePem('ES256').privateKey, 'ES256')

  const forged = await new SignJWT(decodeJwt(token)).setProtectedHeader(decodeProtectedHeader(token) as { alg: string }).sign(otherKey)
  assertUnauthorized(t, await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${forged}` } }), 'invalid_token')
})

t.test('a token whose payload was altered is refused', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)
  const token = await accessToken(app, agent.agentId, agent.clientSecret, 'agents:read')

  const [header, , signature] = token.split('.')
  const elevated = Buffer.from(JSON.stringify({ ...decodeJwt(token), scope: 'agents:read agents:write admin:orgs' })).toString('base64url')
  assertUnauthorized(t, await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization: `Bearer ${header}.${elevated}.${signature}` }, payload: {} }), 'invalid_token')
})

t.test('a token from an issuer with another public URL is refused, even with the same key', async (t) => {
  const issuer = await buildApp({ publicUrl: 'https://other-idp.example.test' })
  t.teardown(() => issuer.close())
  const app = await buildApp()
  t.teardown(() => app.close())
  const { token } = await adminSession(issuer)

  assertUnauthorized(t, await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${token}` } }), 'invalid_token')
})

t.test('a token without a required scope is 403 FORBIDDEN with an insufficient_scope challenge', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { clientId, clientSecret } = await adminSession(app)
  const readOnly = await accessToken(app, clientId, clientSecret, 'agents:read')

  const listed = await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${readOnly}` } })
  t.equal(listed.statusCode, 200)
  for (const request of [{ method: 'POST' as const, url: '/api/v1/agents', payload: {} }, { method: 'GET' as const, url: '/api/v1/audit' }]) {
    const response = await app.inject({ ...request, headers: { authorization: `Bearer ${readOnly}` } })
    t.equal(response.statusCode, 403, request.url)
    t.equal(response.json().code, 'FORBIDDEN')
    t.match(response.headers['www-authenticate'], /error="insufficient_scope"/)
  }
})

t.test('the auth hook guards host routes that declare scopes, and principalOf refuses on public ones', async (t) => {
  const app = await buildApp({}, {
    setup: (host) => {
      host.get('/host/guarded', { config: { scopes: ['agents:read'] } }, async (request) => ({ agentId: principalOf(request).agentId }))
      host.get('/host/public', async (request) => ({ agentId: principalOf(request).agentId }))
    }
  })
  t.teardown(() => app.close())
  const { agentId, authorization } = await adminSession(app)

  t.equal((await app.inject({ url: '/host/guarded' })).statusCode, 401)
  t.same((await app.inject({ url: '/host/guarded', headers: { authorization } })).json(), { agentId })
  t.equal((await app.inject({ url: '/host/public', headers: { authorization } })).statusCode, 401, 'no principal on a route without scopes')
})

t.test('suspending or decommissioning an agent kills the tokens it already holds', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const suspended = await createAgent(app, authorization)
  const decommissioned = await createAgent(app, authorization)
  const suspendedToken = await accessToken(app, suspended.agentId, suspended.clientSecret)
  const decommissionedToken = await accessToken(app, decommissioned.agentId, decommissioned.clientSecret)
  for (const token of [suspendedToken, decommissionedToken]) {
    t.equal((await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${token}` } })).statusCode, 200)
  }

  await app.inject({ method: 'PATCH', url: `/api/v1/agents/${suspended.agentId}`, headers: { authorization }, payload: { status: 'suspended' } })
  await app.inject({ method: 'DELETE', url: `/api/v1/agents/${decommissioned.agentId}`, headers: { authorization } })

  for (const token of [suspendedToken, decommissionedToken]) {
    assertUnauthorized(t, await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${token}` } }), 'invalid_token')
  }
})
