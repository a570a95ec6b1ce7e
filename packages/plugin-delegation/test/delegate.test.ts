import t from 'tap'
import { ManualClock, buildApp, chain, delegate, organizationWithAgents, revoke, verify } from './helpers.js'

t.test('a single-hop delegation is signed, verifiable, audited and counted', async (t) => {
  const app = await buildApp(t)
  const { organizationId, agents: [a, b] } = await organizationWithAgents(app, 2)
  const response = await delegate(app, a!, { delegateeAgentId: b!.agentId, scopes: ['reports:read', 'reports:read'], ttlSeconds: 600 })
  t.equal(response.statusCode, 201)
  const created = response.json()
  t.match(created, { delegatorAgentId: a!.agentId, delegateeAgentId: b!.agentId, scopes: ['reports:read'], depth: 1, parentChainId: null })
  t.equal(created.rootChainId, created.chainId)
  const [header, payload] = (created.delegationToken as string).split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>)
  t.match(header, { alg: 'EdDSA', typ: 'delegation+jwt', kid: a!.credentialId })
  t.match(payload, { delegation_id: created.chainId, sub: a!.agentId, act: { sub: b!.agentId }, organization_id: organizationId })

  const verified = await verify(app, b!, created.delegationToken)
  t.equal(verified.statusCode, 200)
  t.match(verified.json(), { valid: true, chainId: created.chainId, scopes: ['reports:read'], depth: 1, chain: [{ chainId: created.chainId, scopesGranted: ['reports:read'], scopesDropped: [] }] })

  await app.sentryagent.audit.flush()
  const { events } = await app.sentryagent.audit.list(organizationId, { page: 1, limit: 50, action: 'delegation.created' } as never)
  t.equal(events.length, 1)
  t.match(events[0]!.details, { chainId: created.chainId, chain: [{ delegator: a!.agentId, delegatee: b!.agentId }] })
  const metrics = await app.sentryagent.metrics.metrics()
  t.match(metrics, /agentidp_delegations_created_total 1/)
  t.match(metrics, /agentidp_delegations_verified_total\{result="valid"\} 1/)
  t.match(metrics, /agentidp_delegation_verify_duration_seconds_count 1/)
})

t.test('a three-hop chain explains every hop: scopes granted and dropped, nested act', async (t) => {
  const app = await buildApp(t)
  const { agents: [a, b, c, d] } = await organizationWithAgents(app, 4)
  const [first] = await chain(app, [a!, b!], ['reports:read', 'reports:write'])
  const second = (await delegate(app, b!, { delegateeAgentId: c!.agentId, scopes: ['reports:read'], ttlSeconds: 1800, parentDelegationToken: first!.delegationToken })).json()
  const third = await delegate(app, c!, { delegateeAgentId: d!.agentId, scopes: ['reports:read'], ttlSeconds: 900, parentDelegationToken: second.delegationToken })
  t.equal(third.statusCode, 201)
  const created = third.json()
  t.match(created, { depth: 3, rootChainId: first!.chainId, parentChainId: second.chainId })
  const payload = JSON.parse(Buffer.from((created.delegationToken as string).split('.')[1]!, 'base64url').toString())
  t.same(payload.act, { sub: d!.agentId, act: { sub: c!.agentId, act: { sub: b!.agentId } } })
  const result = (await verify(app, d!, created.delegationToken)).json()
  t.equal(result.valid, true)
  t.same(result.chain.map((hop: { scopesDropped: string[] }) => hop.scopesDropped), [[], ['reports:write'], []])
  t.same(result.chain.map((hop: { delegatorAgentId: string }) => hop.delegatorAgentId), [a!.agentId, b!.agentId, c!.agentId])
})

t.test('issuance checks', async (t) => {
  const app = await buildApp(t)
  const { organizationId, agents: [a, b, c] } = await organizationWithAgents(app, 3)
  const other = await organizationWithAgents(app, 1)

  t.test('TTL outside 60–86400 s is a validation error', async (t) => {
    for (const ttlSeconds of [59, 86_401]) t.equal((await delegate(app, a!, { delegateeAgentId: b!.agentId, ttlSeconds })).json().code, 'VALIDATION_ERROR')
  })
  t.test('empty scopes are a validation error', async (t) => {
    t.equal((await delegate(app, a!, { delegateeAgentId: b!.agentId, scopes: [] })).json().code, 'VALIDATION_ERROR')
  })
  t.test('self-delegation', async (t) => {
    const response = await delegate(app, a!, { delegateeAgentId: a!.agentId })
    t.equal(response.statusCode, 400)
    t.equal(response.json().code, 'SELF_DELEGATION')
  })
  t.test('scope escalation at issuance', async (t) => {
    const response = await delegate(app, a!, { delegateeAgentId: b!.agentId, scopes: ['reports:read', 'admin:orgs'] })
    t.equal(response.statusCode, 403)
    t.equal(response.json().code, 'DELEGATION_SCOPE_ESCALATION')
  })
  t.test('a cross-tenant delegatee is not found', async (t) => {
    const response = await delegate(app, a!, { delegateeAgentId: other.agents[0]!.agentId })
    t.equal(response.statusCode, 404)
    t.equal(response.json().code, 'AGENT_NOT_FOUND')
  })
  t.test('an inactive delegatee is refused', async (t) => {
    await app.sentryagent.agents.update({ organizationId, agentId: null }, c!.agentId, { status: 'suspended' })
    const response = await delegate(app, a!, { delegateeAgentId: c!.agentId })
    t.equal(response.statusCode, 409)
    t.equal(response.json().code, 'AGENT_NOT_ACTIVE')
  })
})

t.test('re-delegation checks', async (t) => {
  const app = await buildApp(t)
  const { agents: [a, b, c, d] } = await organizationWithAgents(app, 4)
  const [ab] = await chain(app, [a!, b!], ['reports:read'], 600)

  t.test('a child claiming more than its parent', async (t) => {
    const response = await delegate(app, b!, { delegateeAgentId: c!.agentId, scopes: ['reports:read', 'reports:write'], parentDelegationToken: ab!.delegationToken, ttlSeconds: 60 })
    t.equal(response.statusCode, 403)
    t.equal(response.json().code, 'DELEGATION_SCOPE_ESCALATION')
  })
  t.test('a non-holder re-delegating someone else\'s link', async (t) => {
    const response = await delegate(app, c!, { delegateeAgentId: d!.agentId, parentDelegationToken: ab!.delegationToken, ttlSeconds: 60 })
    t.equal(response.statusCode, 403)
    t.equal(response.json().code, 'NOT_PARENT_DELEGATEE')
  })
  t.test('child TTL beyond the parent', async (t) => {
    const response = await delegate(app, b!, { delegateeAgentId: c!.agentId, parentDelegationToken: ab!.delegationToken, ttlSeconds: 3600 })
    t.equal(response.statusCode, 400)
    t.equal(response.json().code, 'DELEGATION_TTL_EXCEEDS_PARENT')
  })
  t.test('cycles (A→B→A)', async (t) => {
    const response = await delegate(app, b!, { delegateeAgentId: a!.agentId, parentDelegationToken: ab!.delegationToken, ttlSeconds: 60 })
    t.equal(response.statusCode, 409)
    t.equal(response.json().code, 'DELEGATION_CYCLE')
  })
  t.test('a garbage parent token', async (t) => {
    const response = await delegate(app, b!, { delegateeAgentId: c!.agentId, parentDelegationToken: 'not-a-token', ttlSeconds: 60 })
    t.equal(response.statusCode, 403)
    t.match(response.json(), { code: 'PARENT_DELEGATION_INVALID', details: { reason: 'malformed' } })
  })
})

t.test('depth is capped by the tier (free: 2 links)', async (t) => {
  const app = await buildApp(t)
  const { agents } = await organizationWithAgents(app, 4, 'free')
  const links = await chain(app, agents.slice(0, 3))
  const response = await delegate(app, agents[2]!, { delegateeAgentId: agents[3]!.agentId, parentDelegationToken: links[1]!.delegationToken, ttlSeconds: 60 })
  t.equal(response.statusCode, 403)
  t.match(response.json(), { code: 'DELEGATION_DEPTH_EXCEEDED' })
})

t.test('live links per delegator are capped', async (t) => {
  const app = await buildApp(t, { maxLiveLinksPerDelegator: 1 })
  const { agents: [a, b, c] } = await organizationWithAgents(app, 3)
  t.equal((await delegate(app, a!, { delegateeAgentId: b!.agentId })).statusCode, 201)
  const response = await delegate(app, a!, { delegateeAgentId: c!.agentId })
  t.equal(response.statusCode, 409)
  t.equal(response.json().code, 'DELEGATION_LIMIT_EXCEEDED')
})

t.test('a delegator without a usable credential cannot sign', async (t) => {
  const app = await buildApp(t)
  const { organizationId, admin, agents: [a, b] } = await organizationWithAgents(app, 2)
  await app.sentryagent.credentials.revoke({ organizationId, agentId: admin.agentId }, a!.agentId, a!.credentialId)
  const response = await delegate(app, a!, { delegateeAgentId: b!.agentId })
  t.equal(response.statusCode, 409)
  t.equal(response.json().code, 'NO_SIGNING_CREDENTIAL')
})

t.test('the cap counts live links only: revoked and expired ones free room, concurrent issuance never exceeds it', async (t) => {
  const clock = new ManualClock()
  const app = await buildApp(t, { maxLiveLinksPerDelegator: 3 }, { clock })
  const { agents: [a, b, c] } = await organizationWithAgents(app, 3)
  const created = await Promise.all(Array.from({ length: 8 }, async (_, i) => delegate(app, a!, { delegateeAgentId: (i % 2 === 0 ? b : c)!.agentId, ttlSeconds: 60 + i })))
  t.equal(created.filter((response) => response.statusCode === 201).length, 3, 'exactly the cap, concurrently')
  t.ok(created.filter((response) => response.statusCode !== 201).every((response) => response.json().code === 'DELEGATION_LIMIT_EXCEEDED'))

  const first = created.find((response) => response.statusCode === 201)!.json()
  t.equal((await revoke(app, a!, first.chainId)).statusCode, 200)
  t.equal((await delegate(app, a!, { delegateeAgentId: b!.agentId, ttlSeconds: 600 })).statusCode, 201, 'a revoked link frees its place')
  t.equal((await delegate(app, a!, { delegateeAgentId: b!.agentId, ttlSeconds: 600 })).json().code, 'DELEGATION_LIMIT_EXCEEDED')

  clock.advance(120)
  for (let i = 0; i < 2; i++) t.equal((await delegate(app, a!, { delegateeAgentId: c!.agentId, ttlSeconds: 600 })).statusCode, 201, 'expired links free theirs')
  t.equal((await delegate(app, a!, { delegateeAgentId: c!.agentId, ttlSeconds: 600 })).json().code, 'DELEGATION_LIMIT_EXCEEDED')
})
