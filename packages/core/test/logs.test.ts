import t from 'tap'
import { LogCapture, accessToken, buildApp, createAgent, createOrganization, requestToken } from './helpers.js'

t.test('client secrets and access tokens never reach the logs, even at trace level', async (t) => {
  const logs = new LogCapture()
  const app = await buildApp({}, { server: { logger: { level: 'trace', stream: logs } } })
  t.teardown(() => app.close())
  const organization = await createOrganization(app)
  const adminToken = await accessToken(app, organization.clientId, organization.clientSecret)
  const authorization = `Bearer ${adminToken}`
  const agent = await createAgent(app, authorization)
  const rotated = (await app.inject({ method: 'POST', url: `/api/v1/agents/${agent.agentId}/credentials/${agent.credentialId}/rotate`, headers: { authorization } })).json<{ clientSecret: string }>()

  const basic = `Basic ${Buffer.from(`${agent.agentId}:${rotated.clientSecret}`).toString('base64')}`
  const form = await app.inject({
    method: 'POST',
    url: '/api/v1/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: agent.agentId, client_secret: rotated.clientSecret }).toString()
  })
  const viaBasic = await requestToken(app, { grant_type: 'client_credentials' }, { headers: { authorization: basic } })
  const agentToken = viaBasic.json<{ access_token: string }>().access_token
  await requestToken(app, { grant_type: 'client_credentials', client_id: agent.agentId, client_secret: agent.clientSecret })
  await requestToken(app, { grant_type: 'client_credentials', client_id: agent.agentId, client_secret: rotated.clientSecret, scope: 'admin:orgs' })
  await app.inject({ method: 'POST', url: '/api/v1/token', headers: { 'content-type': 'application/json' }, payload: `{"client_secret": "${rotated.clientSecret}"` })
  await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${agentToken}` } })
  await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization: `Bearer ${agentToken}` }, payload: {} })
  await app.inject({ method: 'POST', url: '/api/v1/token/introspect', headers: { authorization }, payload: { token: agentToken } })
  await app.inject({ method: 'POST', url: '/api/v1/token/revoke', headers: { authorization }, payload: { token: agentToken } })
  await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${agentToken}` } })

  t.equal(form.statusCode, 200)
  t.equal(viaBasic.statusCode, 200)
  t.ok(logs.entries().filter((entry) => entry.msg === 'incoming request').length >= 12, 'requests were logged')
  const secrets = {
    'admin secret': organization.clientSecret,
    'agent secret': agent.clientSecret,
    'rotated secret': rotated.clientSecret,
    'Basic credentials': basic.slice('Basic '.length),
    'admin token': adminToken,
    'agent token': agentToken,
    'form token': form.json<{ access_token: string }>().access_token
  }
  for (const [name, secret] of Object.entries(secrets)) t.notOk(logs.text.includes(secret), `${name} is not logged`)
  for (const token of [adminToken, agentToken]) t.notOk(logs.text.includes(token.split('.')[2]!), 'no token signature is logged')
})
