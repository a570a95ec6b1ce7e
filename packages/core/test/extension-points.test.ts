import t from 'tap'
import { verify } from 'node:crypto'
import createError from '@fastify/error'
import { UnauthorizedError } from '../src/index.js'
import { adminSession, agentBody, buildApp, createAgent, requestToken } from './helpers.js'

const QuotaError = createError('QUOTA_EXCEEDED', 'quota exceeded', 429)

t.test('registration guards can refuse a new agent', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization, organizationId } = await adminSession(app)
  const seen: string[] = []
  app.sentryagent.agents.addRegistrationGuard(async (tenant) => {
    seen.push(tenant)
    throw new QuotaError()
  })
  const response = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody() })
  t.equal(response.statusCode, 429)
  t.equal(response.json().code, 'QUOTA_EXCEEDED')
  t.same(seen, [organizationId])
})

t.test('issuance guards can refuse a token', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { clientId, clientSecret, organizationId } = await adminSession(app)
  const seen: Array<{ organizationId: string, agentId: string }> = []
  app.sentryagent.tokens.addIssuanceGuard(async (subject) => {
    seen.push(subject)
    throw new QuotaError()
  })
  const response = await requestToken(app, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret })
  t.equal(response.statusCode, 429)
  t.match(seen, [{ organizationId, agentId: clientId }])
})

t.test('the signing key of an agent is its newest usable credential\'s, and rotation is announced', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization, organizationId } = await adminSession(app)
  const agent = await createAgent(app, authorization)
  const { credentials } = app.sentryagent
  const signing = await credentials.signingKeyOf(organizationId, agent.agentId)
  t.equal(signing?.credentialId, agent.credentialId)

  const data = Buffer.from('delegation payload')
  const signature = (await import('node:crypto')).sign(null, data, signing!.privateKey)
  const verification = await credentials.verificationKey(organizationId, agent.credentialId)
  t.ok(verification?.usable)
  t.ok(verify(null, data, verification!.publicKey, signature), 'the sealed private key matches the published public key')

  const revoked: string[] = []
  credentials.onRevoked(async (event) => { revoked.push(event.credentialId) })
  const rotated = await app.inject({ method: 'POST', url: `/api/v1/agents/${agent.agentId}/credentials/${agent.credentialId}/rotate`, headers: { authorization } })
  t.equal(rotated.statusCode, 200)
  t.same(revoked, [agent.credentialId])
  t.equal((await credentials.verificationKey(organizationId, agent.credentialId))?.usable, false)
  t.equal((await credentials.signingKeyOf(organizationId, agent.agentId))?.credentialId, rotated.json().credentialId)

  await app.inject({ method: 'DELETE', url: `/api/v1/agents/${agent.agentId}/credentials/${rotated.json().credentialId}`, headers: { authorization } })
  t.same(revoked, [agent.credentialId, rotated.json().credentialId])
  t.equal(await credentials.signingKeyOf(organizationId, agent.agentId), undefined, 'no usable credential, no signing key')
  t.equal(await credentials.verificationKey('00000000-0000-4000-8000-000000000000', agent.credentialId), undefined, 'tenant-scoped')
})

t.test('acceptance checks can refuse verified tokens; exchanged tokens introspect with act and delegation_id', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization, organizationId, clientId } = await adminSession(app)
  const { tokens } = app.sentryagent
  const minted = await tokens.mint({ organizationId, agentId: clientId, scopes: ['agents:read'] },
    { act: { sub: 'delegator' }, delegation_id: 'chain-1' }, 'urn:ietf:params:oauth:grant-type:token-exchange')
  const introspected = await app.inject({ method: 'POST', url: '/api/v1/token/introspect', headers: { authorization }, payload: { token: minted.response.access_token } })
  t.match(introspected.json(), { active: true, act: { sub: 'delegator' }, delegation_id: 'chain-1' })

  tokens.addAcceptanceCheck(async (principal) => {
    if (principal.claims.delegation_id === 'chain-1') throw new UnauthorizedError('Delegation revoked')
  })
  const refused = await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${minted.response.access_token}` } })
  t.equal(refused.statusCode, 401)
  t.equal(refused.json().code, 'UNAUTHORIZED')
  const other = await app.inject({ url: '/api/v1/agents', headers: { authorization } })
  t.equal(other.statusCode, 200, 'tokens the check does not object to still work')
})
