import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { adminSession, buildApp, eventually, requestToken } from './helpers.js'

// The agent cache's promise: a change is seen at once on the instance that made it and
// within a broadcast's delay (bounded here at 2 s) on another instance sharing Redis.
const REMOTE_BOUND_MS = 2000

async function twoInstances (t: Test): Promise<[FastifyInstance, FastifyInstance]> {
  const first = await buildApp()
  t.teardown(() => first.close())
  const second = await buildApp()
  t.teardown(() => second.close())
  return [first, second]
}

const grant = (clientId: string, clientSecret: string): Record<string, string> => ({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret })

async function tokenStatus (app: FastifyInstance, clientId: string, clientSecret: string): Promise<number> {
  return (await requestToken(app, grant(clientId, clientSecret))).statusCode
}

async function newCredential (app: FastifyInstance, organizationId: string, agentId: string): Promise<{ credentialId: string, clientSecret: string }> {
  return app.sentryagent.credentials.create({ organizationId, agentId: null }, agentId, null)
}

t.test('a revoked credential is refused at once here and within 2 s on another instance', async (t) => {
  const [first, second] = await twoInstances(t)
  const { organizationId, agentId, clientId } = await adminSession(first)
  const { credentialId, clientSecret } = await newCredential(first, organizationId, agentId)
  // Both instances have the client cached.
  t.equal(await tokenStatus(first, clientId, clientSecret), 200)
  t.equal(await tokenStatus(second, clientId, clientSecret), 200)

  await first.sentryagent.credentials.revoke({ organizationId, agentId: null }, agentId, credentialId)
  t.equal(await tokenStatus(first, clientId, clientSecret), 401, 'refused at once on the instance that revoked it')
  t.ok(await eventually(async () => await tokenStatus(second, clientId, clientSecret) === 401, REMOTE_BOUND_MS), 'refused on the other instance')
})

t.test('a rotated credential\'s old secret is refused and its successor accepted, on both instances', async (t) => {
  const [first, second] = await twoInstances(t)
  const { organizationId, agentId, clientId } = await adminSession(first)
  const { credentialId, clientSecret } = await newCredential(first, organizationId, agentId)
  t.equal(await tokenStatus(second, clientId, clientSecret), 200)

  const successor = await first.sentryagent.credentials.rotate({ organizationId, agentId: null }, agentId, credentialId)
  t.equal(await tokenStatus(first, clientId, clientSecret), 401, 'old secret refused at once')
  t.equal(await tokenStatus(first, clientId, successor.clientSecret), 200, 'new secret accepted at once')
  t.ok(await eventually(async () => await tokenStatus(second, clientId, clientSecret) === 401, REMOTE_BOUND_MS), 'old secret refused on the other instance')
  t.equal(await tokenStatus(second, clientId, successor.clientSecret), 200, 'new secret accepted on the other instance')
})

t.test('a new credential works at once on another instance that had the client cached', async (t) => {
  const [first, second] = await twoInstances(t)
  const { organizationId, agentId, clientId, clientSecret } = await adminSession(first)
  t.equal(await tokenStatus(second, clientId, clientSecret), 200)

  const created = await newCredential(first, organizationId, agentId)
  t.ok(await eventually(async () => await tokenStatus(second, clientId, created.clientSecret) === 200, REMOTE_BOUND_MS))
})

t.test('a suspended agent gets no token, here at once and on another instance within 2 s', async (t) => {
  const [first, second] = await twoInstances(t)
  const { organizationId, authorization } = await adminSession(first)
  const registered = await first.inject({
    method: 'POST',
    url: '/api/v1/agents',
    headers: { authorization },
    payload: { email: `cache-${Date.now()}@example.com`, agentType: 'custom', version: '1.0.0', capabilities: ['agents:read'], owner: 'test', deploymentEnv: 'development' }
  })
  const agentId = registered.json<{ agentId: string }>().agentId
  const { clientSecret } = await newCredential(first, organizationId, agentId)
  t.equal(await tokenStatus(second, agentId, clientSecret), 200)

  const suspended = await first.inject({ method: 'PATCH', url: `/api/v1/agents/${agentId}`, headers: { authorization }, payload: { status: 'suspended' } })
  t.equal(suspended.statusCode, 200)
  const refused = await requestToken(first, grant(agentId, clientSecret))
  t.equal(refused.statusCode, 400)
  t.equal(refused.json().error, 'unauthorized_client', 'refused at once')
  t.ok(await eventually(async () => await tokenStatus(second, agentId, clientSecret) === 400, REMOTE_BOUND_MS), 'refused on the other instance')
})

t.test('an updated agent is read fresh on both instances', async (t) => {
  const [first, second] = await twoInstances(t)
  const { agentId, authorization } = await adminSession(first)
  const read = async (app: FastifyInstance): Promise<string> =>
    (await app.inject({ url: `/api/v1/agents/${agentId}`, headers: { authorization } })).json<{ version: string }>().version
  const before = await read(second)

  const updated = await first.inject({ method: 'PATCH', url: `/api/v1/agents/${agentId}`, headers: { authorization }, payload: { version: '9.9.9' } })
  t.equal(updated.statusCode, 200)
  t.not(before, '9.9.9')
  t.equal(await read(first), '9.9.9', 'fresh at once here')
  t.ok(await eventually(async () => await read(second) === '9.9.9', REMOTE_BOUND_MS), 'fresh on the other instance')
})

t.test('a cached agent is still not found from another organization', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const owner = await adminSession(app)
  const stranger = await adminSession(app)
  t.equal((await app.inject({ url: `/api/v1/agents/${owner.agentId}`, headers: { authorization: owner.authorization } })).statusCode, 200)

  const response = await app.inject({ url: `/api/v1/agents/${owner.agentId}`, headers: { authorization: stranger.authorization } })
  t.equal(response.statusCode, 404)
  t.equal(response.json().code, 'AGENT_NOT_FOUND')
})

t.test('agentCacheTtlMs: 0 turns the cache off; changes still apply', async (t) => {
  const app = await buildApp({ agentCacheTtlMs: 0 })
  t.teardown(() => app.close())
  const { organizationId, agentId, clientId } = await adminSession(app)
  const { credentialId, clientSecret } = await newCredential(app, organizationId, agentId)
  t.equal(await tokenStatus(app, clientId, clientSecret), 200)
  await app.sentryagent.credentials.revoke({ organizationId, agentId: null }, agentId, credentialId)
  t.equal(await tokenStatus(app, clientId, clientSecret), 401)
})
