import t from 'tap'
import { A2A_PROTOCOL_VERSION, DID_EXTENSION_URI, SECURITY_SCHEME, type AgentCard } from '../src/index.js'
import { CARD_FIELDS, PREFIX, PUBLIC_URL, buildApp, createAgent, getCard, session } from './helpers.js'

t.test('a tenant reads its agent\'s card: built from the registry, DID in capabilities.extensions, OAuth2 pointing at the live token endpoint', async (t) => {
  const app = await buildApp(t)
  const admin = await session(app)
  const agentId = await createAgent(app, admin)
  const response = await getCard(app, agentId, { authorization: admin.authorization })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^application\/json/)
  t.equal(response.headers['cache-control'], 'private, no-cache')
  t.match(response.headers.etag, /^"[A-Za-z0-9_-]{43}"$/)
  const card = response.json<AgentCard>()
  t.equal(card.description, CARD_FIELDS.description)
  t.same(card.supportedInterfaces, [{ url: CARD_FIELDS.a2aEndpointUrl, protocolBinding: 'JSONRPC', protocolVersion: A2A_PROTOCOL_VERSION }])
  t.equal(card.version, '1.4.0')
  t.same(card.skills, CARD_FIELDS.skills)
  t.same(card.defaultInputModes, CARD_FIELDS.inputModes)
  t.same(card.defaultOutputModes, CARD_FIELDS.outputModes)
  t.notOk('did' in card, 'no top-level DID')
  const extension = card.capabilities.extensions![0]!
  t.equal(extension.uri, DID_EXTENSION_URI)
  t.equal(extension.params!.did, app.sentryagent.dids.agentDid(agentId))
  const scheme = card.securitySchemes![SECURITY_SCHEME]!.oauth2SecurityScheme
  t.equal(scheme.flows.clientCredentials.tokenUrl, `${PUBLIC_URL}${PREFIX}/token`)
  t.equal(scheme.oauth2MetadataUrl, `${PUBLIC_URL}/.well-known/oauth-authorization-server`)
  t.same(card.securityRequirements, [{ schemes: { [SECURITY_SCHEME]: { list: ['agents:read', 'reports:write'] } } }])
  t.equal(card.signatures?.length, 1)

  const wellKnown = await getCard(app, agentId, { authorization: admin.authorization }, '.well-known/agent-card.json')
  t.equal(wellKnown.body, response.body, 'both paths serve the same card')
})

t.test('ETag: If-None-Match answers 304 without a body; a change to the agent changes the ETag', async (t) => {
  const app = await buildApp(t)
  const admin = await session(app)
  const agentId = await createAgent(app, admin, { ...CARD_FIELDS, isPublic: true })
  const first = await getCard(app, agentId)
  t.equal(first.statusCode, 200)
  t.equal(first.headers['cache-control'], 'public, max-age=300')
  const etag = first.headers.etag as string
  const again = await getCard(app, agentId)
  t.equal(again.headers.etag, etag, 'stable while the agent is unchanged')

  const hit = await getCard(app, agentId, { 'if-none-match': etag })
  t.equal(hit.statusCode, 304)
  t.equal(hit.body, '')
  t.equal(hit.headers['content-length'] ?? '0', '0', 'no body announced')
  t.equal(hit.headers.etag, etag)
  t.equal((await getCard(app, agentId, { 'if-none-match': `"other", W/${etag}` })).statusCode, 304, 'weak comparison, list form')
  t.equal((await getCard(app, agentId, { 'if-none-match': '*' })).statusCode, 304)
  t.equal((await getCard(app, agentId, { 'if-none-match': '"other"' })).statusCode, 200)

  const patched = await app.inject({ method: 'PATCH', url: `${PREFIX}/agents/${agentId}`, headers: { authorization: admin.authorization }, payload: { description: 'Now also translates' } })
  t.equal(patched.statusCode, 200)
  const changed = await getCard(app, agentId, { 'if-none-match': etag })
  t.equal(changed.statusCode, 200)
  t.not(changed.headers.etag, etag)
  t.equal(changed.json<AgentCard>().description, 'Now also translates')
})

t.test('visibility: public cards need no token; private ones are tenant-scoped (foreign → 404, anonymous → 401)', async (t) => {
  const app = await buildApp(t)
  const owner = await session(app)
  const other = await session(app)
  const privateAgent = await createAgent(app, owner)
  const publicAgent = await createAgent(app, owner, { ...CARD_FIELDS, isPublic: true })

  t.equal((await getCard(app, publicAgent)).statusCode, 200)
  t.equal((await getCard(app, publicAgent, { authorization: other.authorization })).statusCode, 200, 'another tenant reads a public card')
  const anonymous = await getCard(app, privateAgent)
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.json<{ code: string }>().code, 'UNAUTHORIZED')
  const foreign = await getCard(app, privateAgent, { authorization: other.authorization })
  t.equal(foreign.statusCode, 404)
  t.equal(foreign.json<{ code: string }>().code, 'AGENT_NOT_FOUND')
  t.equal((await getCard(app, '00000000-0000-4000-8000-000000000000', { authorization: owner.authorization })).statusCode, 404)
  t.equal((await getCard(app, '00000000-0000-4000-8000-000000000000')).statusCode, 401, 'an unknown id looks like a private one')
  t.equal((await getCard(app, publicAgent, { authorization: 'Bearer not-a-token' })).statusCode, 401, 'a token, when sent, is checked')
})

t.test('a card that cannot be valid says why (409 AGENT_CARD_INCOMPLETE) instead of inventing values', async (t) => {
  const app = await buildApp(t)
  const admin = await session(app)
  const bare = await createAgent(app, admin, {})
  const response = await getCard(app, bare, { authorization: admin.authorization })
  t.equal(response.statusCode, 409)
  const body = response.json<{ code: string, details: { problems: Array<{ field: string, remediation: string }> } }>()
  t.equal(body.code, 'AGENT_CARD_INCOMPLETE')
  t.same(body.details.problems.map((problem) => problem.field).sort(), ['a2aEndpointUrl', 'description', 'inputModes', 'outputModes', 'skills'])
  t.ok(body.details.problems.every((problem) => problem.remediation.length > 0))

  const suspended = await createAgent(app, admin)
  await app.inject({ method: 'PATCH', url: `${PREFIX}/agents/${suspended}`, headers: { authorization: admin.authorization }, payload: { status: 'suspended' } })
  const refused = await getCard(app, suspended, { authorization: admin.authorization })
  t.equal(refused.statusCode, 409)
  t.same(refused.json<{ details: { problems: Array<{ field: string }> } }>().details.problems.map((problem) => problem.field), ['status'])
})

t.test('unsigned cards when signCards is false', async (t) => {
  const app = await buildApp(t, { signCards: false, cardMaxAgeSeconds: 60 })
  const admin = await session(app)
  const agentId = await createAgent(app, admin, { ...CARD_FIELDS, isPublic: true })
  const response = await getCard(app, agentId)
  t.equal(response.headers['cache-control'], 'public, max-age=60')
  t.notOk('signatures' in response.json<AgentCard>())
})

t.test('a fresh record of an unchanged agent keeps the same signed bytes and ETag (ECDSA signatures are randomized)', async (t) => {
  // No agent cache: every request reads a new record, as after the cache's TTL.
  const app = await buildApp(t, {}, { agentCacheTtlMs: 0 })
  const admin = await session(app)
  const agentId = await createAgent(app, admin, { ...CARD_FIELDS, isPublic: true })
  const first = await getCard(app, agentId)
  const second = await getCard(app, agentId)
  t.equal(second.headers.etag, first.headers.etag)
  t.equal(second.body, first.body)
  t.equal((await getCard(app, agentId, { 'if-none-match': first.headers.etag as string })).statusCode, 304)
})
