import { randomUUID } from 'node:crypto'
import t from 'tap'
import { databaseUrl, redisUrl } from '@sentryagent/test-support'
import {
  API, call, clientToken, createAgent, createOrganizations, delegate, freshDatabase, redisDatabase, serverEnvironment, ServerProcess, startTogether, type Answer
} from '../src/index.js'

// Routes any authenticated agent may call, whatever its scopes (documented in DESIGN.md and the
// plugin READMEs): delegating needs no extra scope, the tier status is every tenant's own, and
// RFC 7009 lets a client revoke its own tokens. Each still checks the caller where it matters.
const NO_SCOPE_ROUTES = new Set([
  'POST /api/v1/token/revoke',
  'POST /api/v1/oauth2/token/delegate',
  'POST /api/v1/oauth2/token/verify-delegation',
  'DELETE /api/v1/oauth2/token/delegate/{chainId}',
  'GET /api/v1/delegations/{chainId}/descendants',
  'GET /api/v1/tiers/status'
])

// Bodies valid for each route's schema, so that a refusal is about who asks, not what is sent.
const BODIES: Record<string, (ids: Ids) => unknown> = {
  'POST /api/v1/agents': () => ({ email: 'sweep@example.test', agentType: 'custom', version: '1.0.0', capabilities: ['agents:read'], owner: 'sweep', deploymentEnv: 'development' }),
  'PATCH /api/v1/agents/{agentId}': () => ({ owner: 'sweep' }),
  'POST /api/v1/token/introspect': (ids) => ({ token: ids.delegationToken }),
  'POST /api/v1/token/revoke': (ids) => ({ token: ids.delegationToken }),
  'POST /api/v1/oauth2/token/delegate': (ids) => ({ delegateeAgentId: ids.agentId, scopes: ['agents:read'], ttlSeconds: 600 }),
  'POST /api/v1/oauth2/token/verify-delegation': (ids) => ({ delegationToken: ids.delegationToken }),
  'POST /api/v1/billing/upgrade': () => ({ tier: 'pro' })
}

interface Ids { agentId: string, credentialId: string, chainId: string, delegationToken: string }
interface Operation { method: string, path: string, security?: Array<Record<string, unknown>> }

const database = await freshDatabase(databaseUrl(), 'security')
// Every flag on (the default), logs at info as in production.
const server = new ServerProcess('sweep', serverEnvironment(database.url, redisDatabase(redisUrl(), 2), { LOG_LEVEL: 'info' }))
t.teardown(async () => {
  await server.stop()
  await database.drop()
})
await startTogether([server])
const env = serverEnvironment(database.url, redisDatabase(redisUrl(), 2))
const [tenant, stranger] = await createOrganizations(env, ['enterprise', 'enterprise'])
const admin = await clientToken(server.url, tenant!.clientId, tenant!.clientSecret)
const strangerAdmin = await clientToken(server.url, stranger!.clientId, stranger!.clientSecret)
const agent = await createAgent(server.url, admin, ['agents:read'])
// An agent holding no platform scope at all.
const unscoped = await createAgent(server.url, admin, ['weather:read'])
const unscopedToken = await clientToken(server.url, unscoped.agentId, unscoped.clientSecret)
const { chainId, delegationToken } = await delegate(server.url, admin, agent.agentId, ['agents:read'])
const ids: Ids = { agentId: agent.agentId, credentialId: agent.credentialId, chainId, delegationToken }
const secrets = [tenant!.clientSecret, stranger!.clientSecret, agent.clientSecret, unscoped.clientSecret, admin, strangerAdmin, unscopedToken, delegationToken]

const spec = (await call(server.url, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, Operation>> }
const operations: Operation[] = Object.entries(spec.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ ...operation, method: method.toUpperCase(), path })))
const key = (operation: Operation): string => `${operation.method} ${operation.path}`
const isPublic = (operation: Operation): boolean => operation.security === undefined || operation.security.length === 0
// `security: [{ bearerAuth: [] }, {}]`: a token or none (public agents' DID documents and cards).
const isOptional = (operation: Operation): boolean => !isPublic(operation) && operation.security!.some((requirement) => Object.keys(requirement).length === 0)
const answers: Answer[] = []

async function request (operation: Operation, token?: string, values: Ids = ids): Promise<Answer> {
  const path = operation.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = values[name as keyof Ids]
    if (value === undefined) throw new Error(`no value for {${name}} in ${key(operation)}`)
    return value
  })
  const body = BODIES[key(operation)]?.(ids) ?? (['POST', 'PATCH', 'PUT'].includes(operation.method) ? {} : undefined)
  const answer = await call(server.url, operation.method, path, { ...(token === undefined ? {} : { token }), ...(body === undefined ? {} : { body }) })
  answers.push(answer)
  return answer
}

const authenticated = operations.filter((operation) => !isPublic(operation))
const scoped = authenticated.filter((operation) => !NO_SCOPE_ROUTES.has(key(operation)))
const tenantScoped = authenticated.filter((operation) => operation.path.includes('{'))

t.test('every authenticated route answers 401 without a token', async (t) => {
  const mandatory = authenticated.filter((operation) => !isOptional(operation))
  for (const operation of mandatory) t.equal((await request(operation)).status, 401, key(operation))
  // Optional authentication: a private agent's document asks for a token, exactly as an unknown
  // agent's does (the answer must not tell which agents exist).
  for (const operation of authenticated.filter(isOptional)) {
    t.equal((await request(operation)).status, 401, `${key(operation)} (optional token, private agent)`)
    t.equal((await request(operation, undefined, { ...ids, agentId: randomUUID() })).status, 401, `${key(operation)} (optional token, unknown agent)`)
  }
  t.comment(`security sweep: ${operations.length} operations in the OpenAPI document, ${operations.length - authenticated.length} public, ${mandatory.length} need a token (401 without), ${authenticated.length - mandatory.length} take one optionally`)
})

t.test('every route holding a scope answers 403 to a token without it', async (t) => {
  for (const operation of scoped) t.equal((await request(operation, unscopedToken)).status, 403, key(operation))
  t.comment(`security sweep: ${scoped.length} scoped operations answered 403 to a token holding no platform scope (${NO_SCOPE_ROUTES.size} need none by design)`)
})

t.test('every tenant-scoped resource answers 404 to another tenant', async (t) => {
  for (const operation of tenantScoped) t.equal((await request(operation, strangerAdmin)).status, 404, key(operation))
  t.comment(`security sweep: ${tenantScoped.length} operations on another tenant's resource answered 404`)
})

t.test('wrong credentials are refused without echoing them', async (t) => {
  // A real secret presented for the wrong client, and a tampered token.
  const wrongClient = await call(server.url, 'POST', `${API}/token`, { body: { grant_type: 'client_credentials', client_id: unscoped.agentId, client_secret: agent.clientSecret } })
  answers.push(wrongClient)
  t.equal(wrongClient.status, 401)
  const tampered = await call(server.url, 'GET', `${API}/agents`, { token: `${admin.slice(0, -4)}AAAA` })
  answers.push(tampered)
  t.equal(tampered.status, 401)
})

t.test('every operation answers with nosniff and framing denied', async (t) => {
  for (const operation of operations) {
    const path = operation.path.replace(/\{(\w+)\}/g, (_match, name: string) => ids[name as keyof Ids])
    // Reads with the admin's token (success bodies too); writes without one, so that nothing changes.
    const headers: Record<string, string> = operation.method === 'GET' ? { authorization: `Bearer ${admin}` } : {}
    const response = await fetch(`${server.url}${path}`, { method: operation.method, headers })
    await response.arrayBuffer()
    t.equal(response.headers.get('x-content-type-options'), 'nosniff', key(operation))
    t.equal(response.headers.get('x-frame-options'), 'DENY', key(operation))
    t.match(response.headers.get('content-security-policy'), "frame-ancestors 'none'", key(operation))
  }
  t.comment(`security sweep: ${operations.length} operations answered with nosniff, X-Frame-Options DENY and frame-ancestors 'none'`)
})

t.test('no secret or token appears in an error body or in the logs', async (t) => {
  const errorBodies = answers.filter((answer) => answer.status >= 400).map((answer) => answer.text)
  const leaks = secrets.filter((secret) => errorBodies.some((body) => body.includes(secret)))
  t.same(leaks.map((secret) => `${secret.slice(0, 12)}…`), [], `no secret in ${errorBodies.length} error bodies`)
  const logs = server.output
  t.same(secrets.filter((secret) => logs.includes(secret)).map((secret) => `${secret.slice(0, 12)}…`), [], `no secret in ${logs.split('\n').length} log lines`)
  t.notMatch(logs, /sk_live_[A-Za-z0-9_-]{8}/, 'no client secret of any kind in the logs')
  t.notMatch(logs, /eyJ[A-Za-z0-9_-]{10,}\.eyJ/, 'no JWT in the logs')
  t.comment(`security sweep: ${secrets.length} secrets and tokens searched in ${errorBodies.length} error bodies and ${logs.length} bytes of info-level logs`)
  t.notOk(answers.some((answer) => answer.status >= 500), 'no 5xx anywhere in the sweep')
})
