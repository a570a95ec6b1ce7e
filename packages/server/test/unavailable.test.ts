import t from 'tap'
import { agentBody, buildApp, createOrganization, tempDir, waitFor } from './helpers.js'
import { ThrowawayPostgres } from './throwaway-postgres.js'

t.test('PostgreSQL going away answers 503 SERVICE_UNAVAILABLE promptly, and the server recovers', async (t) => {
  const postgres = await ThrowawayPostgres.create(await tempDir(t, 'sentryagent-pg-'))
  t.teardown(() => { postgres.destroy() })
  const app = await buildApp(t, { DATABASE_URL: postgres.url })
  const { agentId, clientId, clientSecret } = await createOrganization(app)
  const { access_token: token } = await app.sentryagent.tokens.issueForClient(clientId, clientSecret, undefined)
  const headers = { authorization: `Bearer ${token}` }
  t.equal((await app.inject({ url: `/api/v1/agents/${agentId}`, headers })).statusCode, 200)

  postgres.stop()
  for (const request of [
    // A read that needs PostgreSQL (a single agent may be answered from core's agent cache).
    { url: '/api/v1/agents', headers },
    { method: 'POST' as const, url: '/api/v1/agents', headers, payload: agentBody() },
    { method: 'POST' as const, url: '/api/v1/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret } }
  ]) {
    const started = Date.now()
    const response = await app.inject(request)
    const elapsed = Date.now() - started
    t.equal(response.statusCode, 503, `${request.url}: ${response.body}`)
    t.equal(response.json().code, 'SERVICE_UNAVAILABLE')
    t.ok(Number(response.headers['retry-after']) > 0, 'with retry-after')
    t.ok(elapsed < 5000, `${request.url} answered in ${elapsed} ms`)
  }
  const health = await app.inject({ url: '/health' })
  t.equal(health.statusCode, 503)
  t.match(health.json(), { status: 'degraded', services: { database: 'down', cache: 'up' } })

  postgres.start()
  await waitFor('the API to recover', async () => (await app.inject({ url: `/api/v1/agents/${agentId}`, headers })).statusCode === 200)
  t.equal((await app.inject({ url: '/health' })).statusCode, 200, 'healthy again')
  const created = await app.inject({ method: 'POST', url: '/api/v1/agents', headers, payload: agentBody() })
  t.equal(created.statusCode, 201, 'writes work again')
})
