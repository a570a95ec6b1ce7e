import t from 'tap'
import { buildApp, chain, delegate, ManualClock, organizationWithAgents, verify } from './helpers.js'

const reasonOf = async (response: Promise<import('fastify').LightMyRequestResponse>): Promise<unknown> => {
  const answered = await response
  return answered.statusCode === 200 ? answered.json().reason : `HTTP ${answered.statusCode}`
}

function reencode (token: string, edit: (payload: Record<string, unknown>) => void): string {
  const [header, payload, signature] = token.split('.')
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>
  edit(claims)
  return `${header!}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature!}`
}

t.test('tampered, forged and malformed tokens are refused with a reason, never a 5xx', async (t) => {
  const app = await buildApp(t)
  const { agents: [a, b, c] } = await organizationWithAgents(app, 3)
  const [ab] = await chain(app, [a!, b!], ['reports:read'])
  const token = ab!.delegationToken

  t.equal(await reasonOf(verify(app, b!, reencode(token, (claims) => { claims.scope = 'reports:read reports:write' }))), 'bad_signature', 'tampered payload')
  t.equal(await reasonOf(verify(app, b!, reencode(token, (claims) => { claims.exp = (claims.exp as number) + 3600 }))), 'bad_signature', 'extended expiry')
  const [h, p, s] = token.split('.')
  const flipped = Buffer.from(s!, 'base64url')
  flipped[0] = flipped[0]! ^ 0xff
  t.equal(await reasonOf(verify(app, b!, `${h!}.${p!}.${flipped.toString('base64url')}`)), 'bad_signature', 'tampered signature')
  t.equal(await reasonOf(verify(app, b!, reencode(token, (claims) => { claims.delegation_id = '00000000-0000-4000-8000-000000000000' }))), 'unknown', 'unknown link')
  t.equal(await reasonOf(verify(app, b!, reencode(token, (claims) => { claims.delegation_id = 'not-a-uuid' }))), 'malformed', 'a link id that is not a uuid')

  // Another link's token signed by another key, with this link's id: the key is not this link's.
  const [bc] = await chain(app, [b!, c!], ['reports:read'])
  const [, bcPayload, bcSignature] = bc!.delegationToken.split('.')
  void bcPayload
  t.equal(await reasonOf(verify(app, b!, `${h!}.${p!}.${bcSignature!}`)), 'bad_signature', 'a signature from another key')

  for (const garbage of ['garbage', 'a.b', 'a.b.c', `${h!}.${p!}`, token.slice(0, token.length - 10), '...', `${h!}.${p!}.${s!}.extra`,
    `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p!}.`, `${Buffer.from('[]').toString('base64url')}.${p!}.${s!}`,
    `${Buffer.from('{"alg":"EdDSA","typ":"delegation+jwt","kid":"x"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.${s!}`]) {
    t.equal(await reasonOf(verify(app, b!, garbage)), garbage === token.slice(0, token.length - 10) ? 'bad_signature' : 'malformed', `garbage: ${garbage.slice(0, 24)}`)
  }
  t.equal(await reasonOf(verify(app, b!, 'x'.repeat(9000))), 'malformed', 'huge token')
  t.equal(await reasonOf(verify(app, b!, 'x'.repeat(70_000))), 'HTTP 400', 'a body beyond the schema is a validation error')
})

t.test('a token of another tenant is unknown here, even signed with that tenant\'s key', async (t) => {
  const app = await buildApp(t)
  const ours = await organizationWithAgents(app, 2)
  const theirs = await organizationWithAgents(app, 2)
  const [foreign] = await chain(app, theirs.agents)
  t.equal(await reasonOf(verify(app, ours.agents[1]!, foreign!.delegationToken)), 'unknown')
  // Relabelled to our tenant, the other tenant's signature no longer matches.
  t.equal(await reasonOf(verify(app, ours.agents[1]!, reencode(foreign!.delegationToken, (claims) => { claims.organization_id = ours.organizationId }))), 'unknown')
  const [own] = await chain(app, ours.agents)
  const forged = reencode(foreign!.delegationToken, (claims) => { claims.organization_id = ours.organizationId; claims.delegation_id = own!.chainId })
  t.equal(await reasonOf(verify(app, ours.agents[1]!, forged)), 'bad_signature', 'a token signed by another tenant\'s key')
})

t.test('links spliced onto another chain or reordered in storage no longer verify', async (t) => {
  const app = await buildApp(t)
  const { agents: [a, b, c, d] } = await organizationWithAgents(app, 4)
  const links = await chain(app, [a!, b!, c!])
  const other = await chain(app, [a!, d!])
  const db = app.sentryagent.db

  t.test('splice: the child re-parented onto another chain', async (t) => {
    const fresh = await buildApp(t)
    await db.query('UPDATE delegation_chains SET parent_chain_id = $1, root_chain_id = $1, ancestor_path = ARRAY[$1]::uuid[] WHERE chain_id = $2', [other[0]!.chainId, links[1]!.chainId])
    t.teardown(() => db.query('UPDATE delegation_chains SET parent_chain_id = $1, root_chain_id = $1, ancestor_path = ARRAY[$1]::uuid[] WHERE chain_id = $2', [links[0]!.chainId, links[1]!.chainId]))
    t.equal(await reasonOf(verify(fresh, c!, links[1]!.delegationToken)), 'bad_signature')
  })
  t.test('reorder: the two links swap depth', async (t) => {
    const fresh = await buildApp(t)
    await db.query('UPDATE delegation_chains SET depth = 3 - depth WHERE chain_id = ANY($1::uuid[])', [[links[0]!.chainId, links[1]!.chainId]])
    t.teardown(() => db.query('UPDATE delegation_chains SET depth = 3 - depth WHERE chain_id = ANY($1::uuid[])', [[links[0]!.chainId, links[1]!.chainId]]))
    t.equal(await reasonOf(verify(fresh, c!, links[1]!.delegationToken)), 'bad_signature')
  })
  t.test('escalation in storage: a link\'s scopes widened', async (t) => {
    const fresh = await buildApp(t)
    await db.query("UPDATE delegation_chains SET scopes = ARRAY['reports:read','reports:write'] WHERE chain_id = $1", [links[0]!.chainId])
    t.teardown(() => db.query("UPDATE delegation_chains SET scopes = ARRAY['reports:read'] WHERE chain_id = $1", [links[0]!.chainId]))
    t.equal(await reasonOf(verify(fresh, c!, links[1]!.delegationToken)), 'bad_signature')
  })
  t.test('untouched, the chain verifies', async (t) => {
    const fresh = await buildApp(t)
    t.equal((await verify(fresh, c!, links[1]!.delegationToken)).json().valid, true)
  })
})

t.test('expiry: an expired link, and a child of an expired parent', async (t) => {
  const clock = new ManualClock()
  const app = await buildApp(t, {}, { clock })
  const { agents: [a, b, c] } = await organizationWithAgents(app, 3)
  const [ab] = await chain(app, [a!, b!], ['reports:read'], 120)
  clock.advance(200)
  const tokenB = (await app.inject({ method: 'POST', url: '/api/v1/token', payload: { grant_type: 'client_credentials', client_id: b!.agentId, client_secret: b!.clientSecret } })).json().access_token
  const freshB = { ...b!, authorization: `Bearer ${tokenB as string}` }
  t.equal(await reasonOf(verify(app, freshB, ab!.delegationToken)), 'expired')
  const response = await delegate(app, freshB, { delegateeAgentId: c!.agentId, parentDelegationToken: ab!.delegationToken, ttlSeconds: 60 })
  t.equal(response.statusCode, 403)
  t.match(response.json(), { code: 'PARENT_DELEGATION_INVALID', details: { reason: 'expired' } })
})
