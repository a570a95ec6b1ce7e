import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { DefaultAgentCardResolver } from '@a2a-js/sdk/client'
import { AgentCard, verifyAgentCardSignature, type AgentCard as SdkAgentCard } from '@a2a-js/sdk'
import type { JWK } from 'jose'
import { didCoreViolations, type AgentCard as ServedCard, type DidDocumentLike } from '../src/index.js'
import { CARD_FIELDS, PREFIX, PUBLIC_URL, buildApp, createAgent, getCard, session, type Teardown } from './helpers.js'
import { protoRequiredFields, validateAgentCard, validateOAuthMetadata } from './specs.js'

/** A fetch that answers from the app (the SDK's resolver speaks to it as to a remote host). */
function fetchFrom (app: FastifyInstance): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url)
    const response = await app.inject({ method: 'GET', url: url.pathname + url.search, headers: Object.fromEntries(new Headers(init?.headers).entries()) })
    return new Response(response.statusCode === 304 ? null : response.rawPayload, { status: response.statusCode, headers: response.headers as Record<string, string> })
  }) as typeof fetch
}

async function cards (t: Teardown): Promise<{ app: FastifyInstance, agentIds: string[] }> {
  const app = await buildApp(t)
  const admin = await session(app)
  const agentIds = [
    await createAgent(app, admin, { ...CARD_FIELDS, isPublic: true }),
    await createAgent(app, admin, { ...CARD_FIELDS, isPublic: true, skills: [CARD_FIELDS.skills[0]], inputModes: ['text/plain; charset=utf-8'], outputModes: ['image/png'] })
  ]
  return { app, agentIds }
}

t.test('every served card validates against the A2A v1.0.0 JSON Schema and carries the proto\'s required fields', async (t) => {
  const { app, agentIds } = await cards(t)
  const required = { AgentCard: protoRequiredFields('AgentCard'), AgentInterface: protoRequiredFields('AgentInterface'), AgentSkill: protoRequiredFields('AgentSkill') }
  t.same(required.AgentCard.sort(), ['capabilities', 'defaultInputModes', 'defaultOutputModes', 'description', 'name', 'skills', 'supportedInterfaces', 'version'], 'the proto parse finds the required fields')
  for (const agentId of agentIds) {
    for (const path of ['agent-card', '.well-known/agent-card.json']) {
      const card = (await getCard(app, agentId, {}, path)).json<ServedCard & Record<string, unknown>>()
      t.ok(validateAgentCard(card), `${path} validates: ${JSON.stringify(validateAgentCard.errors)}`)
      for (const field of required.AgentCard) t.ok(card[field] !== undefined, `card has ${field}`)
      for (const entry of card.supportedInterfaces) for (const field of required.AgentInterface) t.ok((entry as Record<string, unknown>)[field], `interface has ${field}`)
      for (const skill of card.skills) for (const field of required.AgentSkill) t.ok((skill as Record<string, unknown>)[field] !== undefined, `skill has ${field}`)
      t.equal(card.supportedInterfaces[0]!.protocolVersion, '1.0')
    }
  }
})

t.test('negative: the official schema refuses a top-level extra field; the proto requires skills', async (t) => {
  const { app, agentIds } = await cards(t)
  const card = (await getCard(app, agentIds[0]!)).json<Record<string, unknown>>()
  t.notOk(validateAgentCard({ ...card, did: 'did:web:example.com' }), 'a top-level DID is not A2A')
  const { skills: _skills, ...withoutSkills } = card
  t.notOk(protoRequiredFields('AgentCard').every((field) => withoutSkills[field] !== undefined), 'a card without skills misses a required field')
})

t.test('RFC 8414 metadata validates against the OpenID conformance suite\'s schema', async (t) => {
  const app = await buildApp(t)
  const metadata = (await app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json<Record<string, unknown>>()
  t.ok(validateOAuthMetadata(metadata), JSON.stringify(validateOAuthMetadata.errors))
  t.notOk(validateOAuthMetadata({ ...metadata, issuer: 42 }), 'the schema has teeth')
})

t.test('the official A2A JavaScript SDK resolves our cards and verifies their signatures with our JWKS', async (t) => {
  const { app, agentIds } = await cards(t)
  const fetchImpl = fetchFrom(app)
  const resolver = new DefaultAgentCardResolver({ fetchImpl })
  const jwks = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{ keys: JWK[] }>()
  const verify = verifyAgentCardSignature(async (kid, jku) => {
    t.equal(jku, `${PUBLIC_URL}/.well-known/jwks.json`, 'the signature names our JWKS')
    const key = jwks.keys.find((candidate) => candidate.kid === kid)
    if (key === undefined) throw new Error(`no key ${kid}`)
    return key
  })
  for (const agentId of agentIds) {
    // The SDK resolves its default path (/.well-known/agent-card.json) against the host root (RFC 8615):
    // a per-agent card is named by its path.
    const resolved = await resolver.resolve(PUBLIC_URL, `${PREFIX}/agents/${agentId}/.well-known/agent-card.json`)
    const served = (await getCard(app, agentId)).json<ServedCard>()
    t.equal(resolved.name, served.name)
    t.equal(resolved.supportedInterfaces[0]?.url, CARD_FIELDS.a2aEndpointUrl)
    t.equal(resolved.supportedInterfaces[0]?.protocolVersion, '1.0')
    t.equal(resolved.skills.length, served.skills.length)
    // The resolver hands back its parsed (internal) form; the verifier canonicalizes the JSON form.
    const json = AgentCard.toJSON(resolved) as SdkAgentCard
    await t.resolves(verify(json), 'the SDK verifies the signature of the card it resolved')
    await t.resolves(verify(served as unknown as SdkAgentCard), 'and of the card as served')
    const tampered = { ...json, description: 'tampered' }
    await t.rejects(verify(tampered), 'a changed card no longer verifies')
  }
})

t.test('DID documents keep the DID Core rules, the instance\'s and each agent\'s', async (t) => {
  const app = await buildApp(t)
  const admin = await session(app)
  const agentId = await createAgent(app, admin)
  const instance = (await app.inject({ method: 'GET', url: '/.well-known/did.json' })).json<DidDocumentLike>()
  t.same(didCoreViolations(instance, app.sentryagent.dids.instanceDid), [])
  const document = (await app.inject({ method: 'GET', url: `${PREFIX}/agents/${agentId}/did`, headers: { authorization: admin.authorization } })).json<DidDocumentLike & { '@context': string[] }>()
  t.same(didCoreViolations(document, app.sentryagent.dids.agentDid(agentId)), [])
  t.equal(document['@context'][0], 'https://www.w3.org/ns/did/v1', 'DID Core context first')
  t.equal(document.verificationMethod?.length, 1)
  const card = (await getCard(app, agentId, { authorization: admin.authorization })).json<ServedCard>()
  t.equal(card.capabilities.extensions![0]!.params!.did, document.id, 'the card names the DID its document has')

  // did:web resolution (W3C did:web §3.2): colons become slashes, a path gets /did.json, no token.
  await app.inject({ method: 'PATCH', url: `${PREFIX}/agents/${agentId}`, headers: { authorization: admin.authorization }, payload: { isPublic: true } })
  const [, , host, ...path] = (document.id as string).split(':')
  const resolved = await app.inject({ method: 'GET', url: `/${path.join('/')}/did.json`, headers: { host: decodeURIComponent(host!) } })
  t.equal(resolved.statusCode, 200, 'a public agent\'s DID resolves as a did:web resolver fetches it')
  t.same(resolved.json(), document)

  t.not(didCoreViolations({ ...document, id: 'did:web:elsewhere.example' }, document.id as string), [], 'a mismatched id is caught')
  t.not(didCoreViolations({ ...document, authentication: ['did:web:x#missing'] }, document.id as string), [], 'a dangling reference is caught')
  t.not(didCoreViolations({ ...document, verificationMethod: [{ id: 'bad', type: 'JsonWebKey2020', controller: 'nope', publicKeyJwk: { d: 'secret' } }] }, document.id as string), [], 'a bad method is caught')
})
