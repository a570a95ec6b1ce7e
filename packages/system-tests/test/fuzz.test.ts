import { Writable } from 'node:stream'
import t from 'tap'
import fc from 'fast-check'
import type { FastifyInstance, HTTPMethods } from 'fastify'
import { buildServer, readConfig } from '@sentryagent/server'
import { databaseUrl, redisUrl } from '@sentryagent/test-support'
import { API, freshDatabase, redisDatabase, serverEnvironment } from '../src/index.js'
import { edgeRequests, requestsFor, type FuzzContext, type FuzzRequest, type Operation } from './fuzz/requests.js'
import type { Components } from './fuzz/schema-arbitrary.js'

// FUZZ_RUNS=2000 FUZZ_SEED=… for a longer local run; the default keeps CI near a minute on two slow cores.
const RUNS = Number(process.env.FUZZ_RUNS ?? 80)
const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 20_261_130)
const REQUEST_LIMIT_MS = Number(process.env.FUZZ_REQUEST_LIMIT_MS ?? 5_000)
const BODY_LIMIT = 64 * 1024

const database = await freshDatabase(databaseUrl(), 'fuzz')
const errorLogs: string[] = []
const app: FastifyInstance = await buildServer(readConfig({
  ...serverEnvironment(database.url, redisDatabase(redisUrl(), 4)),
  LOG_LEVEL: 'error',
  BODY_LIMIT_BYTES: String(BODY_LIMIT),
  // Limits are not under test: a 429 would hide what is behind it.
  RATE_LIMIT_PER_MINUTE: '1000000',
  // Billing configured (its provider unreachable) so that the webhook's signature check is fuzzed too.
  STRIPE_SECRET_KEY: 'sk_test_fuzz',
  STRIPE_WEBHOOK_SECRET: 'whsec_fuzz',
  STRIPE_API_URL: 'http://127.0.0.1:9'
}), { logger: { level: 'error', stream: new Writable({ write (chunk: Buffer, _encoding, done) { errorLogs.push(chunk.toString()); done() } }) } })
t.teardown(async () => {
  await app.close()
  await database.drop()
})
await app.ready()

async function json<T> (method: HTTPMethods, url: string, payload?: unknown, token?: string): Promise<T> {
  const response = await app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }), headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
  return response.json<T>()
}

// A tenant holding every platform scope, one agent of it with a credential, one delegation.
const tenant = await app.sentryagent.organizations.create('Fuzz tenant', 'enterprise')
const { access_token: token } = await json<{ access_token: string }>('POST', `${API}/token`, { grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret })
const agent = await json<{ agentId: string }>('POST', `${API}/agents`, { email: 'fuzz@example.test', agentType: 'custom', version: '1.0.0', capabilities: ['agents:read'], owner: 'fuzz', deploymentEnv: 'development', isPublic: true }, token)
const credential = await json<{ credentialId: string, clientSecret: string }>('POST', `${API}/agents/${agent.agentId}/credentials`, {}, token)
const delegation = await json<{ chainId: string, delegationToken: string }>('POST', `${API}/oauth2/token/delegate`, { delegateeAgentId: agent.agentId, scopes: ['agents:read'], ttlSeconds: 600 }, token)

const spec = await json<{ paths: Record<string, Record<string, Operation>>, components: { schemas: Components } }>('GET', '/openapi.json')
const context: FuzzContext = {
  components: spec.components.schemas,
  known: {
    agentId: [agent.agentId],
    delegateeAgentId: [agent.agentId],
    client_id: [agent.agentId],
    client_secret: [credential.clientSecret],
    credentialId: [credential.credentialId],
    chainId: [delegation.chainId],
    token: [delegation.delegationToken],
    delegationToken: [delegation.delegationToken],
    parentDelegationToken: [delegation.delegationToken],
    subject_token: [delegation.delegationToken],
    grant_type: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange']
  },
  token,
  bodyLimit: BODY_LIMIT
}
// Destructive operations last, so that the others meet the tenant's objects alive.
const operations = Object.entries(spec.paths)
  .flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ ...operation, method: method.toUpperCase(), path })))
  .sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'))

interface Outcome { status: number, body: string, ms: number }

async function send (request: FuzzRequest): Promise<Outcome> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<Outcome>((resolve) => { timer = setTimeout(() => { resolve({ status: 0, body: 'no answer', ms: REQUEST_LIMIT_MS }) }, REQUEST_LIMIT_MS) })
  const answer = app.inject({ method: request.method as HTTPMethods, url: request.url, headers: request.headers, ...(request.body === undefined ? {} : { payload: request.body }) })
    .then((response) => ({ status: response.statusCode, body: response.body, ms: performance.now() - started }))
  try {
    return await Promise.race([answer, hang])
  } finally {
    clearTimeout(timer)
  }
}

/** What is wrong with an answer: a hang, a 5xx, or an error body not in the shape the document gives. */
function problemWith (operation: Operation, request: FuzzRequest, outcome: Outcome): string | undefined {
  if (outcome.status === 0) return `no answer within ${REQUEST_LIMIT_MS} ms`
  if (outcome.status >= 500) return `${outcome.status} ${outcome.body.slice(0, 200)}`
  if (outcome.status < 400 || request.method === 'HEAD') return undefined
  let body: Record<string, unknown>
  try {
    body = JSON.parse(outcome.body) as Record<string, unknown>
  } catch {
    return `${outcome.status} with a body that is not JSON: ${outcome.body.slice(0, 200)}`
  }
  // The token endpoints answer in RFC 6749's dialect where their document says so.
  const documented = operation.responses[String(outcome.status)]?.content?.['application/json']?.schema
  const oauth = documented?.required?.includes('error') === true && request.method === operation.method
  const shaped = oauth ? typeof body.error === 'string' : typeof body.code === 'string' && typeof body.message === 'string'
  return shaped ? undefined : `${outcome.status} body not in the ${oauth ? '{ error }' : '{ code, message }'} shape: ${outcome.body.slice(0, 200)}`
}

const histogram = new Map<number, number>()
const started = performance.now()
t.comment(`fuzz: seed ${SEED} (FUZZ_SEED), ${RUNS} runs per operation (FUZZ_RUNS), ${operations.length} operations, ${REQUEST_LIMIT_MS} ms per request`)

for (const [index, operation] of operations.entries()) {
  const name = `${operation.method} ${operation.path}`
  t.test(name, async (t) => {
    const statuses = new Map<number, number>()
    const undocumented = new Set<number>()
    let tried = 0
    const property = fc.asyncProperty(requestsFor(operation, context), async (request) => {
      const outcome = await send(request)
      tried++
      statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1)
      histogram.set(outcome.status, (histogram.get(outcome.status) ?? 0) + 1)
      if (request.method === operation.method && operation.responses[String(outcome.status)] === undefined) undocumented.add(outcome.status)
      const problem = problemWith(operation, request, outcome)
      if (problem !== undefined) throw new Error(`${problem}\nrequest: ${JSON.stringify({ ...request, body: request.body?.slice(0, 500).toString() }).replaceAll(token, '<token>')}`)
    })
    const seed = SEED + index
    const details = await fc.check(property, {
      seed,
      numRuns: RUNS,
      examples: edgeRequests(operation, context).map((request) => [request]),
      endOnFailure: process.env.FUZZ_SHRINK !== '1'
    })
    const summary = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`).join(' ')
    // Framework refusals (413, 414, 415) of what no client of the document sends: shown, not failed.
    const unlisted = undocumented.size === 0 ? '' : `; not in the document: ${[...undocumented].sort().join(', ')}`
    t.comment(`${name}: ${tried} requests (${summary})${unlisted}`)
    if (details.failed) {
      t.fail(`${name}: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}\nreplay: FUZZ_SEED=${SEED} (seed ${seed}, path ${details.counterexamplePath ?? ''})\nserver errors:\n${errorLogs.slice(-3).join('')}`)
    } else {
      t.pass(`${name}: no 5xx, no hang, error bodies in shape`)
    }
  })
}

t.test('the server still serves the tenant after the fuzzing', async (t) => {
  t.equal((await app.inject({ url: '/health' })).statusCode, 200)
  t.equal((await app.inject({ url: `${API}/tiers/status`, headers: { authorization: `Bearer ${token}` } })).statusCode, 200)
  const total = [...histogram.values()].reduce((sum, count) => sum + count, 0)
  const figures = [...histogram].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`).join(', ')
  t.comment(`fuzz: ${total} requests over ${operations.length} operations in ${((performance.now() - started) / 1000).toFixed(1)} s; statuses ${figures}`)
  t.same(errorLogs.filter((line) => line.includes('unhandled error')).map((line) => line.slice(0, 300)), [], 'no unhandled error was logged')
})
