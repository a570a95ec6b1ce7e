import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { accessToken, buildApp, chain, delegate, ManualClock, organizationWithAgents, revoke, type TestAgent, PREFIX } from './helpers.js'

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token'
const DELEGATION = 'urn:sentryagent:params:oauth:token-type:delegation'

async function exchange (app: FastifyInstance, client: TestAgent, params: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: `${PREFIX}/token`, payload: { grant_type: GRANT, client_id: client.agentId, client_secret: client.clientSecret, actor_token: client.token, actor_token_type: ACCESS, ...params } })
}

const claimsOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>

t.test('a delegation token exchanged by its delegatee: delegated scopes, nested act, delegation_id, refused once revoked', async (t) => {
  const app = await buildApp(t)
  const { admin, agents: [a, b, c] } = await organizationWithAgents(app, 3)
  const links = await chain(app, [a!, b!, c!], ['agents:read', 'reports:read'])
  const response = await exchange(app, c!, { subject_token: links[1]!.delegationToken, subject_token_type: DELEGATION, scope: 'agents:read' })
  t.equal(response.statusCode, 200)
  const body = response.json()
  t.match(body, { token_type: 'Bearer', scope: 'agents:read' })
  t.ok(body.expires_in <= 300, 'short-lived')
  t.equal(body.issued_token_type, ACCESS, 'RFC 8693 issued_token_type')
  const claims = claimsOf(body.access_token)
  t.match(claims, { sub: c!.agentId, delegation_id: links[1]!.chainId, act: { sub: c!.agentId, act: { sub: b!.agentId } } })

  const introspected = await app.inject({ method: 'POST', url: `${PREFIX}/token/introspect`, headers: { authorization: admin.authorization }, payload: { token: body.access_token } })
  t.match(introspected.json(), { active: true, delegation_id: links[1]!.chainId, act: { sub: c!.agentId } })
  const authorization = `Bearer ${body.access_token as string}`
  t.equal((await app.inject({ url: `${PREFIX}/agents/${a!.agentId}`, headers: { authorization } })).statusCode, 200)

  await revoke(app, a!, links[0]!.chainId)
  t.equal((await app.inject({ url: `${PREFIX}/agents/${a!.agentId}`, headers: { authorization } })).statusCode, 401, 'replay after revocation is refused')
  t.equal((await app.inject({ method: 'POST', url: `${PREFIX}/token/introspect`, headers: { authorization: admin.authorization }, payload: { token: body.access_token } })).json().active, false)
  t.equal((await exchange(app, c!, { subject_token: links[1]!.delegationToken, subject_token_type: DELEGATION })).json().error, 'invalid_grant')
})

t.test('the standard form: the delegator\'s access token, only along a live delegation to the actor', async (t) => {
  const app = await buildApp(t)
  const { organizationId, agents: [a, b, c, d] } = await organizationWithAgents(app, 4)
  const [ab] = await chain(app, [a!, b!], ['reports:read'])
  const ok = await exchange(app, b!, { subject_token: a!.token, subject_token_type: ACCESS, requested_token_type: ACCESS })
  t.equal(ok.statusCode, 200)
  t.match(claimsOf(ok.json().access_token), { sub: b!.agentId, scope: 'reports:read', delegation_id: ab!.chainId, act: { sub: b!.agentId } })

  t.equal((await exchange(app, a!, { subject_token: b!.token, subject_token_type: ACCESS })).json().error, 'invalid_grant', 'subject and actor swapped')
  t.equal((await exchange(app, c!, { subject_token: a!.token, subject_token_type: ACCESS })).json().error, 'invalid_grant', 'no delegation to this actor')
  // An existing act is never dropped: the exchanged token, exchanged again along B → C.
  const [bc] = await chain(app, [b!, c!], ['reports:read'])
  const again = await exchange(app, c!, { subject_token: ok.json().access_token, subject_token_type: ACCESS })
  t.equal(again.statusCode, 200)
  t.match(claimsOf(again.json().access_token), { sub: c!.agentId, delegation_id: bc!.chainId, act: { sub: c!.agentId, act: { sub: b!.agentId } } })

  // may_act (RFC 8693 §4.4) names the actor without a delegation link.
  const mayAct = await app.sentryagent.tokens.mint({ organizationId, agentId: a!.agentId, scopes: ['reports:write'] }, { may_act: { sub: d!.agentId } }, 'test')
  const viaMayAct = await exchange(app, d!, { subject_token: mayAct.response.access_token, subject_token_type: ACCESS })
  t.equal(viaMayAct.statusCode, 200)
  t.match(claimsOf(viaMayAct.json().access_token), { sub: d!.agentId, scope: 'reports:write', act: { sub: d!.agentId } })
  t.notOk('delegation_id' in claimsOf(viaMayAct.json().access_token))
  // A subject token holding none of the delegated scopes gives nothing.
  const narrow = await accessToken(app, a!.agentId, a!.clientSecret, 'agents:read')
  t.equal((await exchange(app, b!, { subject_token: narrow, subject_token_type: ACCESS })).json().error, 'invalid_grant')
})

t.test('splicing, a foreign actor, unsupported types and expired subjects are refused', async (t) => {
  const clock = new ManualClock()
  const app = await buildApp(t, {}, { clock })
  const { agents: [a, b, c, d] } = await organizationWithAgents(app, 4)
  const [ab] = await chain(app, [a!, b!])
  const [cd] = await chain(app, [c!, d!])

  t.equal((await exchange(app, d!, { subject_token: ab!.delegationToken, subject_token_type: DELEGATION })).json().error, 'invalid_grant', 'a subject from another chain (splicing)')
  t.equal((await exchange(app, b!, { subject_token: cd!.delegationToken, subject_token_type: DELEGATION })).json().error, 'invalid_grant')
  t.equal((await exchange(app, b!, { subject_token: ab!.delegationToken, subject_token_type: DELEGATION, actor_token: d!.token })).json().error, 'invalid_grant', 'an actor that is not the authenticated client')
  t.equal((await exchange(app, b!, { subject_token: ab!.delegationToken, subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' })).json().error, 'invalid_request', 'unsupported subject token type')
  t.equal((await exchange(app, b!, { subject_token: ab!.delegationToken, subject_token_type: DELEGATION, actor_token_type: 'urn:ietf:params:oauth:token-type:jwt' })).json().error, 'invalid_request', 'unsupported actor token type')
  t.equal((await exchange(app, b!, { subject_token: ab!.delegationToken, subject_token_type: DELEGATION, requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' })).json().error, 'invalid_request')
  t.equal((await exchange(app, b!, { subject_token_type: DELEGATION })).json().error, 'invalid_request', 'no subject token')
  t.equal((await exchange(app, b!, { subject_token: ab!.delegationToken, subject_token_type: DELEGATION, actor_token: undefined })).json().error, 'invalid_request', 'no actor token')
  t.equal((await exchange(app, b!, { subject_token: ab!.delegationToken, subject_token_type: DELEGATION, actor_token: 'garbage' })).json().error, 'invalid_grant', 'a garbage actor token')
  t.equal((await exchange(app, b!, { subject_token: 'garbage', subject_token_type: ACCESS })).json().error, 'invalid_grant', 'a garbage subject token')
  t.equal((await exchange(app, b!, { subject_token: ab!.delegationToken, subject_token_type: DELEGATION, scope: 'admin:orgs' })).json().error, 'invalid_scope')
  t.equal((await exchange(app, { ...b!, clientSecret: 'wrong' }, { subject_token: ab!.delegationToken, subject_token_type: DELEGATION })).statusCode, 401, 'client authentication is required')
  const noAuth = await app.inject({ method: 'POST', url: `${PREFIX}/token`, payload: { grant_type: GRANT, subject_token: ab!.delegationToken, subject_token_type: DELEGATION } })
  t.equal(noAuth.json().error, 'invalid_client')

  // An hour later the subject access token has expired (the delegation has not).
  const [bd] = await chain(app, [a!, d!], ['reports:read'], 7200)
  void bd
  clock.advance(3700)
  const freshD = { ...d!, token: await accessToken(app, d!.agentId, d!.clientSecret) }
  t.equal((await exchange(app, freshD, { subject_token: a!.token, subject_token_type: ACCESS })).json().error, 'invalid_grant', 'an expired subject')
  t.equal((await exchange(app, freshD, { subject_token: ab!.delegationToken, subject_token_type: DELEGATION })).json().error, 'invalid_grant', 'an expired delegation')
})

t.test('an exchanged token can re-delegate only its own delegation', async (t) => {
  const app = await buildApp(t)
  const { agents: [a, b, c] } = await organizationWithAgents(app, 3)
  const [ab] = await chain(app, [a!, b!])
  const exchanged = (await exchange(app, b!, { subject_token: ab!.delegationToken, subject_token_type: DELEGATION })).json().access_token as string
  const asDelegate = { ...b!, authorization: `Bearer ${exchanged}` }
  t.equal((await delegate(app, asDelegate, { delegateeAgentId: c!.agentId, ttlSeconds: 60 })).json().code, 'PARENT_DELEGATION_REQUIRED')
  const [other] = await chain(app, [c!, b!])
  t.equal((await delegate(app, asDelegate, { delegateeAgentId: a!.agentId, ttlSeconds: 60, parentDelegationToken: other!.delegationToken })).json().code, 'PARENT_DELEGATION_REQUIRED')
  t.equal((await delegate(app, asDelegate, { delegateeAgentId: c!.agentId, ttlSeconds: 60, parentDelegationToken: ab!.delegationToken })).statusCode, 201)
})
