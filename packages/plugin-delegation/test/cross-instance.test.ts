import t from 'tap'
import { buildApp, chain, eventually, organizationWithAgents, revoke, verify, PREFIX } from './helpers.js'

t.test('a revocation on one instance reaches another at once (pub/sub), cached state included', async (t) => {
  const first = await buildApp(t)
  const second = await buildApp(t)
  const { agents: [a, b, c] } = await organizationWithAgents(first, 3)
  const links = await chain(first, [a!, b!, c!], ['agents:read'])
  // Warm the second instance's caches.
  t.equal((await verify(second, c!, links[1]!.delegationToken)).json().valid, true)
  t.equal((await verify(second, c!, links[1]!.delegationToken)).json().valid, true)
  const exchanged = await second.inject({ method: 'POST', url: `${PREFIX}/token`, payload: {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', client_id: c!.agentId, client_secret: c!.clientSecret,
    subject_token: links[1]!.delegationToken, subject_token_type: 'urn:sentryagent:params:oauth:token-type:delegation',
    actor_token: c!.token, actor_token_type: 'urn:ietf:params:oauth:token-type:access_token'
  } })
  t.equal(exchanged.statusCode, 200)
  const authorization = `Bearer ${exchanged.json().access_token as string}`
  t.equal((await second.inject({ url: `${PREFIX}/agents/${c!.agentId}`, headers: { authorization } })).statusCode, 200, 'the exchanged token is accepted')

  t.equal((await revoke(first, a!, links[0]!.chainId)).statusCode, 200)
  t.ok(await eventually(async () => (await verify(second, c!, links[1]!.delegationToken)).json().reason === 'revoked', 2000), 'the second instance sees the cascade')
  t.ok(await eventually(async () => (await second.inject({ url: `${PREFIX}/agents/${c!.agentId}`, headers: { authorization } })).statusCode === 401, 2000),
    'the second instance refuses the exchanged token')
})

t.test('a credential rotation on one instance invalidates on another', async (t) => {
  const first = await buildApp(t)
  const second = await buildApp(t)
  const { admin, agents: [a, b] } = await organizationWithAgents(first, 2)
  const [ab] = await chain(first, [a!, b!])
  t.equal((await verify(second, b!, ab!.delegationToken)).json().valid, true)
  await first.inject({ method: 'POST', url: `${PREFIX}/agents/${a!.agentId}/credentials/${a!.credentialId}/rotate`, headers: { authorization: admin.authorization } })
  t.ok(await eventually(async () => (await verify(second, b!, ab!.delegationToken)).json().reason === 'credential_revoked', 2000))
})
