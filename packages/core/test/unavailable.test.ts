import t, { type Test } from 'tap'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { TcpRelay, accessToken, adminSession, buildApp, databaseUrl, eventually, redisUrl, requestToken } from './helpers.js'

async function relayTo (t: Test, serviceUrl: string): Promise<TcpRelay> {
  const relay = TcpRelay.forUrl(serviceUrl)
  await relay.start()
  t.teardown(() => relay.stop())
  return relay
}

/** Sends the request and tells how long the answer took. */
async function timed (app: FastifyInstance, request: InjectOptions): Promise<[LightMyRequestResponse, number]> {
  const started = Date.now()
  const response = await app.inject(request)
  return [response, Date.now() - started]
}

function assertUnavailable (t: Test, [response, elapsed]: [LightMyRequestResponse, number], name: string): void {
  t.equal(response.statusCode, 503, `${name}: ${response.body}`)
  t.equal(response.json().code, 'SERVICE_UNAVAILABLE', name)
  t.equal(response.headers['retry-after'], '5', name)
  t.ok(elapsed < 3000, `${name} answered in ${elapsed} ms`)
}

t.test('PostgreSQL down: 503 SERVICE_UNAVAILABLE with retry-after, at once; back to normal when it returns', async (t) => {
  const relay = await relayTo(t, databaseUrl())
  const app = await buildApp({}, { databaseUrl: relay.url(databaseUrl()) })
  t.teardown(() => app.close())
  const { authorization, clientId, clientSecret } = await adminSession(app)
  const credentials = { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }
  const readOnly = await accessToken(app, clientId, clientSecret, 'agents:read')

  await relay.stop()
  assertUnavailable(t, await timed(app, { url: '/api/v1/agents', headers: { authorization } }), 'authenticated route')
  assertUnavailable(t, await timed(app, { method: 'POST', url: '/api/v1/token', payload: credentials }), 'token endpoint')
  assertUnavailable(t, await timed(app, { url: '/api/v1/audit', headers: { authorization: `Bearer ${readOnly}` } }), 'a refusal that cannot be audited')

  await relay.start()
  t.equal((await app.inject({ url: '/api/v1/agents', headers: { authorization } })).statusCode, 200)
  t.equal((await requestToken(app, credentials)).statusCode, 200)
})

t.test('PostgreSQL unreachable without refusing (a partition): 503 within the pool\'s connection timeout', async (t) => {
  const relay = await relayTo(t, databaseUrl())
  const app = await buildApp({}, { databaseUrl: relay.url(databaseUrl()), poolOptions: { connectionTimeoutMillis: 1000 } })
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)

  await relay.stop()
  await relay.start({ blackhole: true })
  assertUnavailable(t, await timed(app, { url: '/api/v1/agents', headers: { authorization } }), 'authenticated route')
  await relay.stop()
  await relay.start()
})

t.test('Redis down: authenticated routes answer 503 at once, token issuance goes on; recovery when it returns', async (t) => {
  const relay = await relayTo(t, redisUrl())
  const app = await buildApp({}, { redisUrl: relay.url(redisUrl()) })
  t.teardown(() => app.close())
  const { authorization, clientId, clientSecret } = await adminSession(app)

  await relay.stop()
  assertUnavailable(t, await timed(app, { url: '/api/v1/agents', headers: { authorization } }), 'authenticated route')
  t.equal((await requestToken(app, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret })).statusCode, 200,
    'the token endpoint needs only PostgreSQL')

  await relay.start()
  t.ok(await eventually(async () => (await app.inject({ url: '/api/v1/agents', headers: { authorization } })).statusCode === 200), 'the client reconnects')
})

t.test('Redis down with the offline queue disabled: 503, never a hang', async (t) => {
  const relay = await relayTo(t, redisUrl())
  const app = await buildApp({}, { redisUrl: relay.url(redisUrl()), redisOptions: { enableOfflineQueue: false } })
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)

  await relay.stop()
  assertUnavailable(t, await timed(app, { url: '/api/v1/agents', headers: { authorization } }), 'authenticated route')
  await relay.start()
})
