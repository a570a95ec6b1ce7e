import { createPublicKey } from 'node:crypto'
import t from 'tap'
import { exportJWK } from 'jose'
import { accessToken, adminSession, buildApp, createAgent, createPool } from './helpers.js'

t.test('an agent\'s DID document lists the Ed25519 keys of its active credentials', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const pool = createPool()
  t.teardown(() => pool.end())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)
  const second = (await app.inject({ method: 'POST', url: `/api/v1/agents/${agent.agentId}/credentials`, headers: { authorization } })).json()

  const did = `did:web:127.0.0.1%3A3000:api:v1:agents:${agent.agentId}`
  const response = await app.inject({ url: `/api/v1/agents/${agent.agentId}/did`, headers: { authorization } })
  t.equal(response.statusCode, 200, response.body)
  const document = response.json()
  t.match(document, { id: did, controller: 'did:web:127.0.0.1%3A3000' })
  t.ok(document['@context'].includes('https://www.w3.org/ns/did/v1'))

  const { rows } = await pool.query<{ signing_key_id: string, signing_public_key: string }>(
    'SELECT signing_key_id, signing_public_key FROM credentials WHERE agent_id = $1', [agent.agentId])
  t.equal(document.verificationMethod.length, 2)
  for (const row of rows) {
    const method = document.verificationMethod.find((m: { id: string }) => m.id === `${did}#${row.signing_key_id}`)
    t.same(method, {
      id: `${did}#${row.signing_key_id}`,
      type: 'JsonWebKey2020',
      controller: did,
      publicKeyJwk: { ...await exportJWK(createPublicKey(row.signing_public_key)), kid: row.signing_key_id }
    })
    t.match(method.publicKeyJwk, { kty: 'OKP', crv: 'Ed25519' })
    t.notOk('d' in method.publicKeyJwk, 'no private part')
  }
  t.same(document.authentication, document.verificationMethod.map((m: { id: string }) => m.id))
  t.same(document.assertionMethod, document.authentication)

  await app.inject({ method: 'DELETE', url: `/api/v1/agents/${agent.agentId}/credentials/${second.credentialId}`, headers: { authorization } })
  const after = (await app.inject({ url: `/api/v1/agents/${agent.agentId}/did`, headers: { authorization } })).json()
  t.same(after.verificationMethod.map((m: { id: string }) => m.id), [`${did}#${rows.find((r) => r.signing_key_id !== second.signingKeyId)!.signing_key_id}`], 'a revoked credential\'s key is gone')
})

t.test('the DID follows the public URL and the prefix, and needs agents:read', async (t) => {
  const app = await buildApp({ publicUrl: 'https://idp.example.test', prefix: '/v2' })
  t.teardown(() => app.close())
  const organization = await adminSession(app)
  const token = await accessToken(app, organization.clientId, organization.clientSecret, 'audit:read')

  const response = await app.inject({ url: `/v2/agents/${organization.agentId}/did`, headers: { authorization: organization.authorization } })
  t.equal(response.json().id, `did:web:idp.example.test:v2:agents:${organization.agentId}`)
  t.equal(response.json().controller, 'did:web:idp.example.test')
  const forbidden = await app.inject({ url: `/v2/agents/${organization.agentId}/did`, headers: { authorization: `Bearer ${token}` } })
  t.equal(forbidden.statusCode, 403)
})

t.test('an unknown agent has no DID document', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)

  const response = await app.inject({ url: '/api/v1/agents/00000000-0000-4000-8000-000000000000/did', headers: { authorization } })
  t.equal(response.statusCode, 404)
  t.equal(response.json().code, 'AGENT_NOT_FOUND')
})

t.test('did.json, where did:web resolvers look: public agents need no token, others stay tenant-scoped', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const owner = await adminSession(app)
  const other = await adminSession(app)
  const open = await createAgent(app, owner.authorization, { isPublic: true })
  const closed = await createAgent(app, owner.authorization)

  const resolved = await app.inject({ url: `/api/v1/agents/${open.agentId}/did.json` })
  t.equal(resolved.statusCode, 200, resolved.body)
  t.equal(resolved.json().id, `did:web:127.0.0.1%3A3000:api:v1:agents:${open.agentId}`)
  t.equal(resolved.json().verificationMethod.length, 1)
  t.same((await app.inject({ url: `/api/v1/agents/${open.agentId}/did`, headers: { authorization: other.authorization } })).json(), resolved.json(),
    'any tenant reads a public agent\'s document, and both paths serve the same one')

  const anonymous = await app.inject({ url: `/api/v1/agents/${closed.agentId}/did.json` })
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.json().code, 'UNAUTHORIZED')
  const foreign = await app.inject({ url: `/api/v1/agents/${closed.agentId}/did.json`, headers: { authorization: other.authorization } })
  t.equal(foreign.statusCode, 404)
  t.equal(foreign.json().code, 'AGENT_NOT_FOUND')
  t.equal((await app.inject({ url: `/api/v1/agents/${closed.agentId}/did.json`, headers: { authorization: owner.authorization } })).statusCode, 200)
  t.equal((await app.inject({ url: `/api/v1/agents/${open.agentId}/did.json`, headers: { authorization: 'Bearer tampered' } })).statusCode, 401,
    'a token, when sent, is verified')
})
