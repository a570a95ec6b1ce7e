import t from 'tap'
import { decodeJwt } from 'jose'
import { accessToken, adminSession, buildApp, createAgent } from './helpers.js'

const introspect = (token: string, authorization: string) => ({ method: 'POST' as const, url: '/api/v1/token/introspect', headers: { authorization }, payload: { token } })

t.test('an active token of the caller\'s organization is described', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization, organizationId } = await adminSession(app)
  const agent = await createAgent(app, authorization)
  const token = await accessToken(app, agent.agentId, agent.clientSecret, 'reports:write')
  const claims = decodeJwt(token)

  const response = await app.inject(introspect(token, authorization))
  t.equal(response.statusCode, 200, response.body)
  t.same(response.json(), {
    active: true,
    scope: 'reports:write',
    client_id: agent.agentId,
    sub: agent.agentId,
    organization_id: organizationId,
    token_type: 'Bearer',
    exp: claims.exp,
    iat: claims.iat,
    jti: claims.jti,
    iss: 'http://127.0.0.1:3000'
  })
})

t.test('revoked, malformed and other organizations\' tokens are inactive', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const mine = await adminSession(app)
  const theirs = await adminSession(app)
  const agent = await createAgent(app, mine.authorization)
  const revoked = await accessToken(app, agent.agentId, agent.clientSecret)
  await app.inject({ method: 'POST', url: '/api/v1/token/revoke', headers: { authorization: `Bearer ${revoked}` }, payload: { token: revoked } })

  for (const [name, token] of [['revoked', revoked], ['malformed', 'abc.def.ghi'], ['other organization', theirs.token]] as const) {
    const response = await app.inject(introspect(token, mine.authorization))
    t.equal(response.statusCode, 200, name)
    t.same(response.json(), { active: false }, name)
  }
})

t.test('introspection needs the tokens:read scope and a token to look at', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { clientId, clientSecret, authorization, token } = await adminSession(app)
  const withoutScope = await accessToken(app, clientId, clientSecret, 'agents:read')

  const forbidden = await app.inject(introspect(token, `Bearer ${withoutScope}`))
  t.equal(forbidden.statusCode, 403)
  t.equal(forbidden.json().code, 'FORBIDDEN')
  const empty = await app.inject({ method: 'POST', url: '/api/v1/token/introspect', headers: { authorization }, payload: {} })
  t.equal(empty.statusCode, 400)
  t.equal(empty.json().code, 'VALIDATION_ERROR')
})
