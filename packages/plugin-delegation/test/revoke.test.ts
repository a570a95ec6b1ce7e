import t from 'tap'
import { withTransaction } from '@sentryagent/core'
import { waitFor } from '@sentryagent/test-support'
import { accessToken, buildApp, CAPABILITIES, chain, delegate, organizationWithAgents, revoke, verify, PREFIX, type Created, type TestAgent } from './helpers.js'

t.test('revoking a link cascades to its descendants; dry run and descendants show the blast radius first', async (t) => {
  const app = await buildApp(t)
  const { organizationId, admin, agents: [a, b, c, d, e] } = await organizationWithAgents(app, 5)
  const links = await chain(app, [a!, b!, c!, d!])
  const sibling = (await delegate(app, b!, { delegateeAgentId: e!.agentId, parentDelegationToken: links[0]!.delegationToken, ttlSeconds: 600 })).json()

  const descendants = await app.inject({ url: `${PREFIX}/delegations/${links[0]!.chainId}/descendants`, headers: { authorization: a!.authorization } })
  t.equal(descendants.statusCode, 200)
  t.same(descendants.json().data.map((link: { chainId: string }) => link.chainId).sort(), [links[1]!.chainId, links[2]!.chainId, sibling.chainId].sort())
  t.same(descendants.json().affectedAgentIds.sort(), [c!.agentId, d!.agentId, e!.agentId].sort())

  const dryRun = await revoke(app, a!, links[1]!.chainId, true)
  t.equal(dryRun.statusCode, 403, 'only the link\'s delegator (B) or an admin manages it')
  const blast = await revoke(app, b!, links[1]!.chainId, true)
  t.match(blast.json(), { dryRun: true, revokedChainIds: [links[1]!.chainId, links[2]!.chainId], affectedAgentIds: [c!.agentId, d!.agentId] })
  t.equal((await verify(app, d!, links[2]!.delegationToken)).json().valid, true, 'a dry run revokes nothing')

  const revoked = await revoke(app, b!, links[1]!.chainId)
  t.equal(revoked.statusCode, 200)
  t.match(revoked.json(), { dryRun: false, revokedChainIds: [links[1]!.chainId, links[2]!.chainId], links: [{ status: 'revoked' }, { status: 'revoked' }] })
  t.equal((await verify(app, d!, links[2]!.delegationToken)).json().reason, 'revoked', 'a revoked ancestor revokes the descendants')
  t.equal((await verify(app, c!, links[1]!.delegationToken)).json().reason, 'revoked')
  t.equal((await verify(app, b!, links[0]!.delegationToken)).json().valid, true, 'upstream is untouched')
  t.equal((await verify(app, e!, sibling.delegationToken)).json().valid, true, 'siblings are untouched')
  t.same((await revoke(app, b!, links[1]!.chainId)).json().revokedChainIds, [], 'idempotent')

  const child = await delegate(app, d!, { delegateeAgentId: e!.agentId, parentDelegationToken: links[2]!.delegationToken, ttlSeconds: 60 })
  t.match(child.json(), { code: 'PARENT_DELEGATION_INVALID', details: { reason: 'revoked' } }, 'a revoked link cannot be re-delegated')

  t.equal((await revoke(app, admin, links[0]!.chainId)).json().revokedChainIds.length, 2, 'an admin:orgs agent may revoke any link')
  await app.sentryagent.audit.flush()
  const { events } = await app.sentryagent.audit.list(organizationId, { page: 1, limit: 50, action: 'delegation.revoked' } as never)
  t.equal(events.length, 2)
  t.match(events[1]!.details, { chainId: links[1]!.chainId, chain: [{ chainId: links[0]!.chainId }, { chainId: links[1]!.chainId }], descendants: [{ chainId: links[2]!.chainId }] })
  t.match(await app.sentryagent.metrics.metrics(), /agentidp_delegations_revoked_total\{cause="revoked"\} 4/)
})

t.test('foreign and unknown links answer 404', async (t) => {
  const app = await buildApp(t)
  const ours = await organizationWithAgents(app, 2)
  const theirs = await organizationWithAgents(app, 2)
  const [foreign] = await chain(app, theirs.agents)
  for (const id of [foreign!.chainId, '00000000-0000-4000-8000-000000000000']) {
    t.equal((await revoke(app, ours.admin, id)).json().code, 'DELEGATION_NOT_FOUND')
    t.equal((await app.inject({ url: `${PREFIX}/delegations/${id}/descendants`, headers: { authorization: ours.admin.authorization } })).json().code, 'DELEGATION_NOT_FOUND')
  }
  t.equal((await verify(app, theirs.agents[1]!, foreign!.delegationToken)).json().valid, true, 'still valid for its tenant')
})

t.test('rotating or revoking the signing credential invalidates what it signed, and downstream', async (t) => {
  const app = await buildApp(t)
  const { organizationId, admin, agents: [a, b, c] } = await organizationWithAgents(app, 3)
  const links = await chain(app, [a!, b!, c!])
  t.equal((await verify(app, c!, links[1]!.delegationToken)).json().valid, true)
  const rotated = await app.inject({ method: 'POST', url: `${PREFIX}/agents/${a!.agentId}/credentials/${a!.credentialId}/rotate`, headers: { authorization: admin.authorization } })
  t.equal(rotated.statusCode, 200)
  t.equal((await verify(app, b!, links[0]!.delegationToken)).json().reason, 'credential_revoked')
  t.equal((await verify(app, c!, links[1]!.delegationToken)).json().reason, 'credential_revoked')
  const status = await app.inject({ url: `${PREFIX}/delegations/${links[0]!.chainId}/descendants`, headers: { authorization: admin.authorization } })
  t.match(status.json().data, [{ status: 'credential_revoked' }].slice(0, 0))
  // The rotated successor signs new delegations.
  const token = (await app.inject({ method: 'POST', url: `${PREFIX}/token`, payload: { grant_type: 'client_credentials', client_id: a!.agentId, client_secret: rotated.json().clientSecret } })).json().access_token as string
  const fresh = await delegate(app, { ...a!, authorization: `Bearer ${token}` }, { delegateeAgentId: b!.agentId })
  t.equal(fresh.statusCode, 201)
  t.equal((await verify(app, b!, fresh.json().delegationToken)).json().valid, true)
  await app.sentryagent.credentials.revoke({ organizationId, agentId: admin.agentId }, a!.agentId, rotated.json().credentialId)
  t.equal((await verify(app, b!, fresh.json().delegationToken)).json().reason, 'credential_revoked')
})

t.test('a child created concurrently with its parent\'s revocation never comes out valid', async (t) => {
  const app = await buildApp(t)
  const { agents: [a, b, c] } = await organizationWithAgents(app, 3)
  for (let round = 0; round < 8; round++) {
    const [ab] = await chain(app, [a!, b!])
    const [child, revoked] = await Promise.all([
      delegate(app, b!, { delegateeAgentId: c!.agentId, parentDelegationToken: ab!.delegationToken, ttlSeconds: 60 }),
      revoke(app, a!, ab!.chainId)
    ])
    t.equal(revoked.statusCode, 200)
    if (child.statusCode === 201) {
      t.equal((await verify(app, c!, child.json().delegationToken)).json().reason, 'revoked', `round ${round}: the child was caught by the cascade`)
      t.ok(revoked.json().revokedChainIds.includes(child.json().chainId))
    } else {
      t.match(child.json(), { code: 'PARENT_DELEGATION_INVALID' }, `round ${round}: the child was refused`)
    }
  }
})

t.test('a revocation and an issuance under a descendant lock in one order: no deadlock', async (t) => {
  const app = await buildApp(t)
  const { agents: [a, b, c, d] } = await organizationWithAgents(app, 4)
  // A circle needs the child's id before its parent's: an issuance locks the new link's ancestors in id order.
  let ab: Created, bc: Created
  do [ab, bc] = await chain(app, [a!, b!, c!]) as [Created, Created]
  while (bc.chainId > ab.chainId)
  const lockWaits = async (): Promise<number> => Number((await app.sentryagent.db.query<{ n: string }>(
    "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0]!.n)
  // ab held here while the revocation, then the issuance, come to wait for it (in that order).
  const [revoking, issuing] = await withTransaction(app.sentryagent.db, async (tx) => {
    await tx.query('SELECT 1 FROM delegation_chains WHERE chain_id = $1 FOR UPDATE', [ab.chainId])
    const revoking = revoke(app, a!, ab.chainId)
    await waitFor('the revocation to wait', async () => await lockWaits() >= 1)
    const issuing = delegate(app, c!, { delegateeAgentId: d!.agentId, parentDelegationToken: bc.delegationToken, ttlSeconds: 60 })
    await waitFor('the issuance to wait', async () => await lockWaits() >= 2)
    return [revoking, issuing]
  })
  const [revoked, grandchild] = await Promise.all([revoking, issuing])
  t.equal(revoked.statusCode, 200, 'the revocation went through')
  t.equal(grandchild.statusCode, 403, 'the issuance saw its ancestor revoked')
  t.match(grandchild.json(), { code: 'PARENT_DELEGATION_INVALID', details: { reason: 'revoked' } })
})

t.test('a subtree revoked while its delegator\'s credential is revoked: both go through, no deadlock', async (t) => {
  const app = await buildApp(t)
  const { organizationId, admin, agents: [x, a, ...delegatees] } = await organizationWithAgents(app, 8)
  // Marking a link takes 30 ms here, so the revocation (10 ms later) arrives while links are being marked.
  const slow = `slow_${a!.agentId.replaceAll('-', '_')}`
  await app.sentryagent.db.query(`CREATE FUNCTION ${slow}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.03); RETURN NEW; END $$`)
  await app.sentryagent.db.query(`CREATE TRIGGER ${slow} BEFORE UPDATE ON delegation_chains FOR EACH ROW
    WHEN (OLD.credential_revoked_at IS NULL AND NEW.credential_revoked_at IS NOT NULL AND OLD.delegator_agent_id = '${a!.agentId}') EXECUTE FUNCTION ${slow}()`)
  t.teardown(async () => {
    await app.sentryagent.db.query(`DROP TRIGGER ${slow} ON delegation_chains`)
    await app.sentryagent.db.query(`DROP FUNCTION ${slow}()`)
  })
  const [root] = await chain(app, [x!, a!])
  // Links A signed, stored in an order unrelated to their ids (random UUIDs).
  for (const delegatee of delegatees) {
    const created = await delegate(app, a!, { delegateeAgentId: delegatee.agentId, parentDelegationToken: root!.delegationToken, ttlSeconds: 600 })
    t.equal(created.statusCode, 201, created.body)
  }
  const credentialRevoked = app.sentryagent.credentials.revoke({ organizationId, agentId: admin.agentId }, a!.agentId, a!.credentialId)
  await new Promise((resolve) => setTimeout(resolve, 10))
  const [subtreeRevoked] = await Promise.all([revoke(app, x!, root!.chainId), credentialRevoked])
  t.equal(subtreeRevoked.statusCode, 200, subtreeRevoked.body)
  const { rows } = await app.sentryagent.db.query<{ revoked: boolean, marked: boolean }>(`SELECT revoked_at IS NOT NULL AS revoked, credential_revoked_at IS NOT NULL AS marked
    FROM delegation_chains WHERE delegator_agent_id = $1`, [a!.agentId])
  t.same(rows, delegatees.map(() => ({ revoked: true, marked: true })), 'every link A signed is revoked and marked')
})

t.test('a link signed while its credential is being revoked never comes out valid', async (t) => {
  const app = await buildApp(t)
  const { organizationId, admin, agents: [b] } = await organizationWithAgents(app, 1)
  for (let round = 0; round < 5; round++) {
    const { agents: [a] } = await organizationWithAgentsIn(app, organizationId, admin)
    const [created] = await Promise.all([
      delegate(app, a!, { delegateeAgentId: b!.agentId }),
      app.sentryagent.credentials.revoke({ organizationId, agentId: admin.agentId }, a!.agentId, a!.credentialId)
    ])
    if (created.statusCode === 201) {
      t.equal((await verify(app, b!, created.json().delegationToken)).json().reason, 'credential_revoked', `round ${round}: marked with its credential`)
    } else {
      t.equal(created.json().code, 'NO_SIGNING_CREDENTIAL', `round ${round}: refused`)
    }
  }
})

t.test('a credential revoked between the insert\'s read and its commit is caught by the read after it', async (t) => {
  const app = await buildApp(t)
  const { agents: [a, b] } = await organizationWithAgents(app, 2)
  // Inside the insert's own transaction, after its read of the credential, and behind core's
  // back (no revocation listener runs): only the issuer's second read can notice.
  const trigger = `revoke_${a!.agentId.replaceAll('-', '_')}`
  await app.sentryagent.db.query(`CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN UPDATE credentials SET status = 'revoked' WHERE credential_id = NEW.signing_credential_id; RETURN NEW; END $$`)
  await app.sentryagent.db.query(`CREATE TRIGGER ${trigger} AFTER INSERT ON delegation_chains FOR EACH ROW
    WHEN (NEW.delegator_agent_id = '${a!.agentId}') EXECUTE FUNCTION ${trigger}()`)
  t.teardown(async () => {
    await app.sentryagent.db.query(`DROP TRIGGER ${trigger} ON delegation_chains`)
    await app.sentryagent.db.query(`DROP FUNCTION ${trigger}()`)
  })
  const refused = await delegate(app, a!, { delegateeAgentId: b!.agentId })
  t.equal(refused.statusCode, 409)
  t.equal(refused.json().code, 'NO_SIGNING_CREDENTIAL')
  const { rows } = await app.sentryagent.db.query<{ marked: boolean }>('SELECT credential_revoked_at IS NOT NULL AS marked FROM delegation_chains WHERE delegator_agent_id = $1', [a!.agentId])
  t.same(rows, [{ marked: true }], 'the link it inserted is marked with its credential')
})

t.test('a cached signing key whose credential stopped being usable signs nothing, and what it signed is invalidated', async (t) => {
  const app = await buildApp(t)
  const { agents: [a, b, c] } = await organizationWithAgents(app, 3)
  const first = await delegate(app, a!, { delegateeAgentId: b!.agentId })
  t.equal(first.statusCode, 201, 'the signing key is now cached')
  // Expired behind core's back: no broadcast, so only the insert's own check can notice.
  await app.sentryagent.db.query("UPDATE credentials SET expires_at = now() - interval '1 second' WHERE credential_id = $1", [a!.credentialId])
  const refused = await delegate(app, a!, { delegateeAgentId: c!.agentId })
  t.equal(refused.statusCode, 409)
  t.equal(refused.json().code, 'NO_SIGNING_CREDENTIAL')
  t.equal((await verify(app, b!, first.json().delegationToken)).json().reason, 'credential_revoked')
})

/** One more agent (credential + token) in an existing organization. */
async function organizationWithAgentsIn (app: import('fastify').FastifyInstance, organizationId: string, admin: TestAgent): Promise<{ agents: TestAgent[] }> {
  const actor = { organizationId, agentId: admin.agentId }
  const agent = await app.sentryagent.agents.create(actor, { email: `race-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`, agentType: 'custom', version: '1.0.0', capabilities: CAPABILITIES, owner: 'tests', deploymentEnv: 'development' })
  const credential = await app.sentryagent.credentials.create(actor, agent.agentId, null)
  const token = await accessToken(app, agent.agentId, credential.clientSecret)
  return { agents: [{ agentId: agent.agentId, credentialId: credential.credentialId, clientSecret: credential.clientSecret, token, authorization: `Bearer ${token}` }] }
}
