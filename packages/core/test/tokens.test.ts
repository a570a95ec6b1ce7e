import t from 'tap'
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose'
import { SigningKeys } from '../src/index.js'
import { adminSession, agentBody, buildApp, createAgent, requestToken } from './helpers.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

t.test('client_credentials with a JSON body, on both token endpoints, grants every capability when scope is omitted', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)

  for (const url of ['/api/v1/token', '/api/v1/oauth2/token']) {
    const response = await app.inject({ method: 'POST', url, payload: { grant_type: 'client_credentials', client_id: agent.agentId, client_secret: agent.clientSecret } })
    t.equal(response.statusCode, 200, `${url}: ${response.body}`)
    t.equal(response.headers['cache-control'], 'no-store')
    t.match(response.json(), { token_type: 'Bearer', expires_in: 3600, scope: 'agents:read reports:write', access_token: String })
  }
})

t.test('client_credentials with a form-urlencoded body', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)

  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: agent.agentId, client_secret: agent.clientSecret, scope: 'agents:read' }).toString()
  })
  t.equal(response.statusCode, 200, response.body)
  t.equal(response.json().scope, 'agents:read')
})

t.test('client_credentials with HTTP Basic client authentication', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)
  // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
  const basic = Buffer.from(`${encodeURIComponent(agent.agentId)}:${encodeURIComponent(agent.clientSecret)}`).toString('base64')

  for (const scheme of ['Basic', 'basic']) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/oauth2/token',
      headers: { authorization: `${scheme} ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials'
    })
    t.equal(response.statusCode, 200, `${scheme}: ${response.body}`)
    t.equal(decodeJwt(response.json().access_token).sub, agent.agentId)
  }
})

t.test('a requested scope is granted as asked when it is a subset of the capabilities', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization, { capabilities: ['agents:read', 'reports:write', 'reports:read'] })

  const response = await requestToken(app, { grant_type: 'client_credentials', client_id: agent.agentId, client_secret: agent.clientSecret, scope: 'reports:read  reports:read agents:read' })
  t.equal(response.statusCode, 200, response.body)
  t.equal(response.json().scope, 'reports:read agents:read')
  t.equal(decodeJwt(response.json().access_token).scope, 'reports:read agents:read')
})

t.test('the access token carries the documented claims and verifies against the published JWKS', async (t) => {
  const app = await buildApp({ publicUrl: 'https://idp.example.test/ignored/path' })
  t.teardown(() => app.close())
  const { authorization, organizationId } = await adminSession(app)
  const agent = await createAgent(app, authorization)
  const before = Math.floor(Date.now() / 1000)

  const response = await requestToken(app, { grant_type: 'client_credentials', client_id: agent.agentId, client_secret: agent.clientSecret })
  const token = response.json<{ access_token: string }>().access_token
  const claims = decodeJwt(token)
  t.match(claims, { sub: agent.agentId, client_id: agent.agentId, organization_id: organizationId, scope: 'agents:read reports:write', iss: 'https://idp.example.test' })
  t.match(claims.jti, UUID)
  t.ok(claims.iat! >= before && claims.iat! <= before + 5, 'iat is now')
  t.equal(claims.exp, claims.iat! + 3600)

  const jwks = (await app.inject({ url: '/.well-known/jwks.json' })).json<JSONWebKeySet>()
  const header = decodeProtectedHeader(token)
  t.equal(header.alg, 'ES256')
  t.equal(header.kid, jwks.keys[0]!.kid)
  const verified = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: 'https://idp.example.test', algorithms: ['ES256'] })
  t.equal(verified.payload.sub, agent.agentId)

  const again = await requestToken(app, { grant_type: 'client_credentials', client_id: agent.agentId, client_secret: agent.clientSecret })
  t.not(decodeJwt(again.json().access_token).jti, claims.jti, 'every token has its own jti')
})

t.test('RS256 is selectable with the jwtAlgorithm option', async (t) => {
  const app = await buildApp({ jwtAlgorithm: 'RS256', signingKeys: SigningKeys.generatePem('RS256') })
  t.teardown(() => app.close())
  const { token } = await adminSession(app)

  const jwks = (await app.inject({ url: '/.well-known/jwks.json' })).json<JSONWebKeySet>()
  t.match(jwks.keys[0], { kty: 'RSA', alg: 'RS256', use: 'sig' })
  t.equal(decodeProtectedHeader(token).alg, 'RS256')
  await t.resolves(jwtVerify(token, createLocalJWKSet(jwks), { algorithms: ['RS256'] }))
  const listed = await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${token}` } })
  t.equal(listed.statusCode, 200, 'the server accepts its own RS256 tokens')
})

t.test('the token lifetime follows the tokenTtlSeconds option', async (t) => {
  const app = await buildApp({ tokenTtlSeconds: 120 })
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)

  const response = await requestToken(app, { grant_type: 'client_credentials', client_id: agent.agentId, client_secret: agent.clientSecret })
  t.equal(response.json().expires_in, 120)
  const claims = decodeJwt(response.json().access_token)
  t.equal(claims.exp! - claims.iat!, 120)
})

t.test('a grant added by another plugin is dispatched by the token endpoint and advertised', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { organizationId, agentId } = await adminSession(app)
  app.sentryagent.grants.set('urn:example:test-grant', async (_request, body) =>
    (await app.sentryagent.tokens.mint({ organizationId, agentId, scopes: [body.scope ?? 'agents:read'] }, { act: { sub: 'tester' } }, 'urn:example:test-grant')).response)

  const response = await requestToken(app, { grant_type: 'urn:example:test-grant', scope: 'audit:read' })
  t.equal(response.statusCode, 200, response.body)
  t.match(decodeJwt(response.json().access_token), { sub: agentId, organization_id: organizationId, scope: 'audit:read', act: { sub: 'tester' } })
  const metadata = (await app.inject({ url: '/.well-known/oauth-authorization-server' })).json()
  t.ok(metadata.grant_types_supported.includes('urn:example:test-grant'))
})

t.test('an agent reactivated after suspension can get tokens again', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization, agentBody())
  const credentials = { grant_type: 'client_credentials', client_id: agent.agentId, client_secret: agent.clientSecret }

  await app.inject({ method: 'PATCH', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization }, payload: { status: 'suspended' } })
  t.equal((await requestToken(app, credentials)).statusCode, 400)
  await app.inject({ method: 'PATCH', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization }, payload: { status: 'active' } })
  t.equal((await requestToken(app, credentials)).statusCode, 200)
})
