import t, { type Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { readConfig } from '../src/index.js'
import { adminSession, buildApp } from './helpers.js'

const APP_ORIGIN = 'https://console.example.com'

function assertStrictFraming (t: Test, response: LightMyRequestResponse, what: string): void {
  t.equal(response.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`)
  t.equal(response.headers['x-frame-options'], 'DENY', `${what}: no framing`)
  t.equal(response.headers['referrer-policy'], 'no-referrer', `${what}: no referrer`)
}

t.test('JSON answers, errors included, carry the strict set and a policy that allows nothing', async (t) => {
  const app = await buildApp(t, { PUBLIC_URL: 'https://idp.example.com' })
  const admin = await adminSession(app)
  const answers = {
    'a JSON route': await app.inject({ url: '/api/v1/agents', headers: { authorization: admin.authorization } }),
    'a 401': await app.inject({ url: '/api/v1/agents' }),
    'a 404': await app.inject({ url: '/api/v1/nowhere' }),
    'a 400': await app.inject({ method: 'POST', url: '/api/v1/token', payload: { grant_type: 'nonsense' } })
  }
  for (const [what, response] of Object.entries(answers)) {
    t.match(response.headers['content-type'], /^application\/json/, `${what}: JSON`)
    assertStrictFraming(t, response, what)
    t.equal(response.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'", `${what}: CSP`)
    t.equal(response.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains', `${what}: HSTS behind https`)
  }
  t.equal(answers['a JSON route'].statusCode, 200)
  t.equal(answers['a 401'].statusCode, 401)
  t.equal(answers['a 404'].statusCode, 404)
  t.equal(answers['a 400'].statusCode, 400)
})

t.test('no HSTS when the public URL is plain http', async (t) => {
  const app = await buildApp(t, { PUBLIC_URL: 'http://127.0.0.1:3000' })
  const response = await app.inject({ url: '/health' })
  t.notOk('strict-transport-security' in response.headers)
  assertStrictFraming(t, response, '/health')
})

t.test('the HTML pages keep the policy they need, with the rest of the strict set', async (t) => {
  const app = await buildApp(t, { PUBLIC_URL: 'https://idp.example.com' })
  const docs = await app.inject({ url: '/docs/' })
  t.equal(docs.statusCode, 200)
  t.match(docs.headers['content-security-policy'], "script-src 'self' 'unsafe-inline'", '/docs: the explorer\'s own policy')
  assertStrictFraming(t, docs, '/docs')
  const dashboard = await app.inject({ url: '/dashboard' })
  t.equal(dashboard.statusCode, 200)
  t.match(dashboard.headers['content-type'], /^text\/html/)
  t.match(dashboard.headers['content-security-policy'], "script-src 'self'", '/dashboard: the dashboard\'s own policy')
  assertStrictFraming(t, dashboard, '/dashboard')
})

t.test('CORS is off by default: no allow-origin header, no preflight route', async (t) => {
  const app = await buildApp(t)
  const admin = await adminSession(app)
  const actual = await app.inject({ url: '/api/v1/agents', headers: { authorization: admin.authorization, origin: APP_ORIGIN } })
  t.equal(actual.statusCode, 200)
  t.notOk('access-control-allow-origin' in actual.headers)
  const preflight = await app.inject({ method: 'OPTIONS', url: '/api/v1/agents', headers: { origin: APP_ORIGIN, 'access-control-request-method': 'GET' } })
  t.notOk('access-control-allow-origin' in preflight.headers)
})

t.test('CORS_ORIGINS allows exactly those origins: preflight without a token, then the call', async (t) => {
  const app = await buildApp(t, { CORS_ORIGINS: `${APP_ORIGIN}, https://other.example.com` })
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/api/v1/agents',
    headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' }
  })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], APP_ORIGIN)
  t.match(preflight.headers['access-control-allow-methods'], 'POST')
  t.match(preflight.headers['access-control-allow-headers'], /Authorization/)
  t.match(preflight.headers['access-control-allow-headers'], /Content-Type/)
  t.notOk('access-control-allow-credentials' in preflight.headers, 'bearer tokens, not cookies')

  const admin = await adminSession(app)
  const actual = await app.inject({ url: '/api/v1/agents', headers: { authorization: admin.authorization, origin: APP_ORIGIN } })
  t.equal(actual.statusCode, 200)
  t.equal(actual.headers['access-control-allow-origin'], APP_ORIGIN)
  t.match(actual.headers.vary, /Origin/)
  for (const header of ['x-request-id', 'retry-after', 'x-ratelimit-remaining', 'ratelimit']) {
    t.match(actual.headers['access-control-expose-headers'], header, `${header} readable by the page`)
  }
  assertStrictFraming(t, actual, 'a CORS answer')
})

t.test('another origin gets no allow-origin header, on the preflight or the call', async (t) => {
  const app = await buildApp(t, { CORS_ORIGINS: APP_ORIGIN })
  const stranger = 'https://evil.example.com'
  const preflight = await app.inject({ method: 'OPTIONS', url: '/api/v1/agents', headers: { origin: stranger, 'access-control-request-method': 'GET' } })
  t.notOk('access-control-allow-origin' in preflight.headers)
  const admin = await adminSession(app)
  const actual = await app.inject({ url: '/api/v1/agents', headers: { authorization: admin.authorization, origin: stranger } })
  t.notOk('access-control-allow-origin' in actual.headers)
  const lookalike = await app.inject({ url: '/health', headers: { origin: `${APP_ORIGIN}.evil.example.com` } })
  t.notOk('access-control-allow-origin' in lookalike.headers, 'exact match, not a prefix')
})

t.test('CORS_ORIGINS must list plain origins', async (t) => {
  t.same(readConfig({ CORS_ORIGINS: ' https://a.example.com ,http://localhost:5173,' }).corsOrigins, ['https://a.example.com', 'http://localhost:5173'])
  for (const bad of ['*', 'https://a.example.com/', 'https://a.example.com/app', 'ftp://a.example.com', 'a.example.com']) {
    t.throws(() => readConfig({ CORS_ORIGINS: bad }), { code: 'SENTRYAGENT_SERVER_INVALID_CONFIG', problems: [/CORS_ORIGINS/] }, bad)
  }
})
