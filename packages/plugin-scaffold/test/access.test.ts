import t from 'tap'
import { buildApp, createTenant, accessToken, scaffoldUrl } from './helpers.js'

t.test('another organization\'s agent answers 404, as an unknown one does', async (t) => {
  const app = await buildApp(t)
  const [mine, theirs] = [await createTenant(app), await createTenant(app)]
  const foreign = await app.inject({ method: 'GET', url: scaffoldUrl(theirs.agent.agentId), headers: { authorization: mine.authorization } })
  t.equal(foreign.statusCode, 404)
  t.equal(foreign.json().code, 'AGENT_NOT_FOUND')
  const unknown = await app.inject({ method: 'GET', url: scaffoldUrl('00000000-0000-4000-8000-000000000000'), headers: { authorization: mine.authorization } })
  t.equal(unknown.json().code, 'AGENT_NOT_FOUND')
})

t.test('a bearer token with agents:read is required', async (t) => {
  const app = await buildApp(t)
  const tenant = await createTenant(app)
  const anonymous = await app.inject({ method: 'GET', url: scaffoldUrl(tenant.agent.agentId) })
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.json().code, 'UNAUTHORIZED')

  const { organizations, agents, credentials } = app.sentryagent
  const organization = await organizations.create(`Scaffold scope ${Date.now()}`, 'free')
  const actor = { organizationId: organization.organizationId, agentId: organization.agentId }
  const writer = await agents.create(actor, { email: `writer-${Date.now()}@example.com`, agentType: 'custom', version: '1.0.0', capabilities: ['reports:write'], owner: 'tests', deploymentEnv: 'development' })
  const credential = await credentials.create(actor, writer.agentId, null)
  const token = await accessToken(app, writer.agentId, credential.clientSecret)
  const forbidden = await app.inject({ method: 'GET', url: scaffoldUrl(writer.agentId), headers: { authorization: `Bearer ${token}` } })
  t.equal(forbidden.statusCode, 403)
  t.equal(forbidden.json().code, 'FORBIDDEN')
})

t.test('the route declares its per-tenant limit for the host\'s limiter', async (t) => {
  const configs = new Map<string, unknown>()
  await buildApp(t, { downloadsPerMinute: 7 }, {}, (app) => { app.addHook('onRoute', (route) => { configs.set(route.url, route.config) }) })
  t.match(configs.get('/api/v1/sdk/scaffold/:agentId'), { scopes: ['agents:read'], rateLimit: { max: 7, timeWindow: '1 minute' } })
})
