import t from 'tap'
import { readFile } from 'node:fs/promises'
import type { FastifyInstance } from 'fastify'
import { adminSession, buildApp } from './helpers.js'

const API_PREFIX = '/api/v1'
// The OAuth token endpoints authenticate the client themselves (RFC 6749), not with a bearer token.
const CLIENT_AUTHENTICATED = new Set([`${API_PREFIX}/token`, `${API_PREFIX}/oauth2/token`])
// Public by design (WS4): the tier map, and the payment provider's webhook (authenticated by its signature).
const TIERS_PUBLIC = new Set([`${API_PREFIX}/tiers`, `${API_PREFIX}/billing/webhook`])
// A public agent's card and DID document need no token; any other agent's do (WS6).
const OPTIONAL_BEARER = new Set(['agent-card', '.well-known/agent-card.json', 'did', 'did.json'].map((doc) => `${API_PREFIX}/agents/{agentId}/${doc}`))
const COMMITTED_SPEC = new URL('../../../openapi.json', import.meta.url)

interface Operation { security?: Array<Record<string, string[]>>, responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }
type Spec = { openapi: string, paths: Record<string, Record<string, Operation>>, components: { securitySchemes: Record<string, unknown>, schemas?: Record<string, unknown> } }

/** Every route of the app as `METHOD /path`, parsed from Fastify's route tree. */
function routesOf (app: FastifyInstance): Array<{ method: string, url: string }> {
  const routes: Array<{ method: string, url: string }> = []
  const stack: string[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (match === null) continue
    const depth = match[1]!.length / 4
    const url = (depth === 0 ? '' : stack[depth - 1]!) + match[2]!
    stack[depth] = url
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, url })
  }
  return routes
}

const operationsOf = (spec: Spec): Array<{ path: string, method: string, operation: Operation }> =>
  Object.entries(spec.paths).flatMap(([path, operations]) => Object.entries(operations).map(([method, operation]) => ({ path, method, operation })))

t.test('/openapi.json is an OpenAPI 3.1.0 document with named schemas and both security schemes', async (t) => {
  const app = await buildApp(t)
  const response = await app.inject({ url: '/openapi.json' })
  t.equal(response.statusCode, 200)
  const spec = response.json<Spec>()
  t.equal(spec.openapi, '3.1.0')
  t.ok(spec.components.schemas?.Agent, 'schemas with an $id become named components')
  t.match(spec.components.securitySchemes, { bearerAuth: { type: 'http', scheme: 'bearer' }, clientCredentials: { type: 'oauth2' } })
  t.notOk(Object.keys(spec.paths).some((path) => path.startsWith('/internal') || path === '/metrics' || path.startsWith('/docs')), 'internal routes stay hidden')
})

t.test('/openapi.yaml serves the document as YAML, with no anchors or aliases', async (t) => {
  const app = await buildApp(t)
  const response = await app.inject({ url: '/openapi.yaml' })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /yaml/)
  t.match(response.body, /^openapi: 3\.1\.0$/m)
  t.notMatch(response.body, /(?:^|[:-] )[&*][A-Za-z]\w*$/m, 'shared tags and security lists are written out, not aliased')
  t.match(response.body, /\/api\/v1\/agents\/\{agentId\}:/)
})

t.test('a query parameter with a default is optional; path parameters stay required', async (t) => {
  const app = await buildApp(t)
  type Parameter = { name: string, in: string, required?: boolean, schema?: { default?: unknown } }
  const spec = app.swagger() as unknown as { paths: Record<string, Record<string, { parameters?: Parameter[] }>> }
  const list = spec.paths[`${API_PREFIX}/agents`]!.get!.parameters!
  for (const name of ['page', 'limit']) {
    const parameter = list.find((candidate) => candidate.name === name)!
    t.equal(parameter.required, undefined, `${name} may be left out`)
    t.ok(parameter.schema?.default !== undefined, `${name} documents its default`)
  }
  const agentId = spec.paths[`${API_PREFIX}/agents/{agentId}`]!.get!.parameters!.find((candidate) => candidate.name === 'agentId')!
  t.equal(agentId.required, true)
  const { authorization } = await adminSession(app)
  const response = await app.inject({ url: `${API_PREFIX}/agents`, headers: { authorization } })
  t.equal(response.statusCode, 200, 'a request without them is served')
  t.match(response.json(), { page: 1, limit: 20 }, 'with the documented defaults')
})

t.test('every operation that reads a body documents 413 and 415, in the platform error shape', async (t) => {
  const app = await buildApp(t)
  type WithBody = Operation & { requestBody?: unknown }
  const spec = app.swagger() as unknown as Spec
  const withBody = operationsOf(spec).filter(({ operation }) => (operation as WithBody).requestBody !== undefined)
  t.ok(withBody.length >= 8, `${withBody.length} operations read a body`)
  for (const { path, method, operation } of withBody) {
    for (const code of ['413', '415']) {
      t.match(operation.responses?.[code]?.content?.['application/json']?.schema, { required: ['code', 'message'] }, `${method.toUpperCase()} ${path} ${code}`)
    }
  }
  const { authorization } = await adminSession(app)
  const refused = await app.inject({ method: 'POST', url: `${API_PREFIX}/agents`, headers: { authorization, 'content-type': 'application/xml' }, payload: '<agent/>' })
  t.equal(refused.statusCode, 415)
  t.match(refused.json(), { code: 'UNSUPPORTED_MEDIA_TYPE', message: String })
})

t.test('every API operation documents a schema for each response, and bearer security when authenticated', async (t) => {
  const app = await buildApp(t)
  const spec = app.swagger() as unknown as Spec
  const operations = operationsOf(spec).filter(({ path }) => path.startsWith(`${API_PREFIX}/`))
  t.ok(operations.length >= 16, `${operations.length} operations under ${API_PREFIX}`)
  for (const { path, method, operation } of operations) {
    const name = `${method.toUpperCase()} ${path}`
    const codes = Object.keys(operation.responses ?? {})
    t.ok(codes.some((code) => code.startsWith('2')), `${name} documents its success`)
    for (const code of codes) {
      if (code === '204') continue
      // JSON mostly; a download (the scaffold ZIP) documents its own media type.
      const media = Object.values(operation.responses![code]!.content ?? {})
      t.ok(media.length > 0 && media.every((content) => content.schema !== undefined), `${name} ${code} has a schema`)
    }
    if (CLIENT_AUTHENTICATED.has(path) || TIERS_PUBLIC.has(path)) {
      t.notOk(operation.security, `${name} needs no bearer token`)
      continue
    }
    t.same(operation.security, OPTIONAL_BEARER.has(path) ? [{ bearerAuth: [] }, {}] : [{ bearerAuth: [] }], `${name} declares bearerAuth`)
    t.ok(codes.includes('401') && codes.includes('403'), `${name} documents 401 and 403`)
  }
})

t.test('no route under the API prefix is public by accident', async (t) => {
  const app = await buildApp(t)
  const documented = new Set(operationsOf(app.swagger() as unknown as Spec).map(({ path, method }) => `${method.toUpperCase()} ${path}`))
  const routes = routesOf(app).filter(({ method, url }) => url.startsWith(`${API_PREFIX}/`) && method !== 'HEAD')
  t.ok(routes.length >= 16, `${routes.length} API routes found`)
  for (const { method, url } of routes) {
    t.ok(documented.has(`${method} ${url.replace(/:(\w+)/g, '{$1}')}`), `${method} ${url} is in the spec`)
    if (CLIENT_AUTHENTICATED.has(url) || TIERS_PUBLIC.has(url)) continue
    // The auth hook only guards routes declaring `config.scopes`: without it this would not be a 401.
    const response = await app.inject({ method: method as 'GET', url: url.replace(/:\w+/g, '00000000-0000-4000-8000-000000000000'), payload: method === 'GET' || method === 'DELETE' ? undefined : {} })
    t.equal(response.statusCode, 401, `${method} ${url} refuses a request without a token`)
    t.equal(response.json().code, 'UNAUTHORIZED')
  }
})

t.test('the committed openapi.json matches the routes', async (t) => {
  const app = await buildApp(t)
  const committed = JSON.parse(await readFile(COMMITTED_SPEC, 'utf8')) as unknown
  const generated = JSON.parse(JSON.stringify(app.swagger())) as unknown
  t.same(generated, committed,
    'openapi.json at the repository root is out of date: regenerate it with `pnpm openapi` at the root (`pnpm --filter @sentryagent/server openapi`) and commit it')
})
