import t from 'tap'
import { buildApp, createOrganization, requestToken } from './helpers.js'

async function delegateOnce (app: Awaited<ReturnType<typeof buildApp>>): Promise<{ delegate: number, verify: number, exchange: string }> {
  const organization = await createOrganization(app)
  const authorization = `Bearer ${await requestToken(app, organization.clientId, organization.clientSecret)}`
  const agent = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: {
    email: `a2a-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`, agentType: 'custom', version: '1.0.0', capabilities: ['agents:read'], owner: 'tests', deploymentEnv: 'development'
  } })
  const delegated = await app.inject({ method: 'POST', url: '/api/v1/oauth2/token/delegate', headers: { authorization }, payload: { delegateeAgentId: agent.json().agentId, scopes: ['agents:read'], ttlSeconds: 600 } })
  const verified = await app.inject({ method: 'POST', url: '/api/v1/oauth2/token/verify-delegation', headers: { authorization }, payload: { delegationToken: delegated.json().delegationToken ?? 'x' } })
  const exchanged = await app.inject({ method: 'POST', url: '/api/v1/token', payload: { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', client_id: organization.clientId, client_secret: organization.clientSecret } })
  return { delegate: delegated.statusCode, verify: verified.statusCode, exchange: exchanged.json().error }
}

t.test('A2A_ENABLED=false: the delegation paths answer 404 and token exchange is unsupported', async (t) => {
  const app = await buildApp(t, { A2A_ENABLED: 'false' })
  t.same(await delegateOnce(app), { delegate: 404, verify: 404, exchange: 'unsupported_grant_type' })
})

t.test('A2A on (the default): delegation works through buildServer', async (t) => {
  const app = await buildApp(t)
  t.same(await delegateOnce(app), { delegate: 201, verify: 200, exchange: 'invalid_request' })
})
