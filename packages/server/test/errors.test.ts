import t from 'tap'
import { adminSession, agentBody, buildApp } from './helpers.js'

// A per-process random prefix and a counter.
const GENERATED_ID = /^[A-Za-z0-9_-]{12}-[0-9a-z]+$/

t.test('an unknown route answers 404 NOT_FOUND in the platform dialect', async (t) => {
  const app = await buildApp(t)
  for (const url of ['/nope', '/api/v1/nope', '/api/v2/agents']) {
    const response = await app.inject({ method: 'GET', url })
    t.equal(response.statusCode, 404, url)
    t.equal(response.json().code, 'NOT_FOUND')
  }
  const wrongMethod = await app.inject({ method: 'PUT', url: '/health' })
  t.equal(wrongMethod.statusCode, 404)
  t.equal(wrongMethod.json().code, 'NOT_FOUND')
})

t.test('a body above BODY_LIMIT_BYTES answers 413 PAYLOAD_TOO_LARGE', async (t) => {
  const app = await buildApp(t, { BODY_LIMIT_BYTES: '2048' })
  const { authorization } = await adminSession(app)
  const small = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody() })
  t.equal(small.statusCode, 201, 'a body under the limit goes through')

  const large = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody({ owner: 'x'.repeat(4096) }) })
  t.equal(large.statusCode, 413)
  t.equal(large.json().code, 'PAYLOAD_TOO_LARGE')
})

t.test('every response carries x-request-id: the caller\'s, or a generated one', async (t) => {
  const app = await buildApp(t, { BODY_LIMIT_BYTES: '2048' })
  const { authorization } = await adminSession(app)
  const requests = [
    { url: '/health' },
    { url: '/api/v1/agents', headers: { authorization } },
    { url: '/api/v1/agents' },
    { url: '/nope' },
    { method: 'POST' as const, url: '/api/v1/agents', headers: { authorization }, payload: agentBody({ owner: 'x'.repeat(4096) }) },
    { method: 'POST' as const, url: '/api/v1/token', payload: { grant_type: 'password' } }
  ]
  const generated = new Set<string>()
  for (const request of requests) {
    const response = await app.inject(request)
    const id = String(response.headers['x-request-id'])
    t.match(id, GENERATED_ID, `${request.url} (${response.statusCode}) has a generated id`)
    generated.add(id)

    const echoed = await app.inject({ ...request, headers: { ...request.headers, 'x-request-id': 'trace-abc-123' } })
    t.equal(echoed.headers['x-request-id'], 'trace-abc-123', `${request.url} (${echoed.statusCode}) echoes the caller's id`)

    const oversized = await app.inject({ ...request, headers: { ...request.headers, 'x-request-id': 'a'.repeat(500) } })
    t.match(String(oversized.headers['x-request-id']), GENERATED_ID, `${request.url}: an over-long caller id is replaced, not echoed`)
  }
  t.equal(generated.size, requests.length, 'generated ids are unique')
})

t.test('the router\'s refusals (an over-long path parameter, a bad escape) answer 400 in our shape, with our headers', async (t) => {
  const app = await buildApp(t)
  const { authorization } = await adminSession(app)
  for (const url of [`/api/v1/agents/${'a'.repeat(200)}`, '/api/v1/agents/%ZZ']) {
    const response = await app.inject({ url, headers: { authorization } })
    t.equal(response.statusCode, 400, url)
    t.match(response.json(), { code: 'VALIDATION_ERROR', message: String })
    t.equal(response.headers['x-content-type-options'], 'nosniff')
    t.match(String(response.headers['x-request-id']), GENERATED_ID)
  }
})
