import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp, requestToken } from './helpers.js'

async function enterpriseAgent (app: FastifyInstance): Promise<{ authorization: string, agentId: string }> {
  const organization = await app.sentryagent.organizations.create(`AGNTCY server ${Math.random().toString(36).slice(2, 8)}`, 'enterprise')
  const authorization = `Bearer ${await requestToken(app, organization.clientId, organization.clientSecret)}`
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/agents',
    headers: { authorization },
    payload: {
      email: `agntcy-server-${process.pid}-${Date.now()}@example.com`, agentType: 'custom', version: '1.0.0', capabilities: ['agents:read'], owner: 'tests', deploymentEnv: 'production',
      description: 'Answers questions', a2aEndpointUrl: 'https://agents.example.com/a2a', skills: [{ id: 'qa', name: 'Q&A', description: 'Answers questions', tags: ['qa'] }],
      inputModes: ['text/plain'], outputModes: ['text/plain'], isPublic: true
    }
  })
  return { authorization, agentId: created.json<{ agentId: string }>().agentId }
}

t.test('AGNTCY_ENABLED=false: the card and report paths answer 404', async (t) => {
  const app = await buildApp(t, { AGNTCY_ENABLED: 'false' })
  const { authorization, agentId } = await enterpriseAgent(app)
  t.equal((await app.inject({ url: `/api/v1/agents/${agentId}/agent-card` })).statusCode, 404)
  t.equal((await app.inject({ url: `/api/v1/agents/${agentId}/.well-known/agent-card.json` })).statusCode, 404)
  t.equal((await app.inject({ url: '/api/v1/agntcy/compliance-report', headers: { authorization } })).statusCode, 404)
})

t.test('AGNTCY on (the default): public cards and the compliance report are served', async (t) => {
  const app = await buildApp(t, { PUBLIC_URL: 'https://idp.example.com' })
  const { authorization, agentId } = await enterpriseAgent(app)
  const card = await app.inject({ url: `/api/v1/agents/${agentId}/.well-known/agent-card.json` })
  t.equal(card.statusCode, 200)
  t.match(card.json(), { supportedInterfaces: [{ protocolVersion: '1.0' }], securitySchemes: { sentryagent_oauth2: { oauth2SecurityScheme: { flows: { clientCredentials: { tokenUrl: 'https://idp.example.com/api/v1/token' } } } } } })
  t.equal((await app.inject({ url: `/api/v1/agents/${agentId}/agent-card`, headers: { 'if-none-match': card.headers.etag as string } })).statusCode, 304)
  const report = await app.inject({ url: '/api/v1/agntcy/compliance-report', headers: { authorization } })
  t.equal(report.statusCode, 200)
  t.match(report.json(), { agntcy_spec_version: 'sentryagent-agntcy-profile/1' })
  t.match(report.json().sections.find((section: { id: string }) => section.id === 'delegation'), { status: 'pass' }, 'delegation is on in the server')
})
