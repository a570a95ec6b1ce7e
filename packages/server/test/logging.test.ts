import t from 'tap'
import { Writable } from 'node:stream'
import { agentBody, buildApp, createOrganization } from './helpers.js'

/** Everything the app logs, as one string. */
function captureStream (): { stream: Writable, text: () => string } {
  const chunks: string[] = []
  const stream = new Writable({
    write (chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString())
      callback()
    }
  })
  return { stream, text: () => chunks.join('') }
}

t.test('client secrets and access tokens never reach the logs, even at trace level', async (t) => {
  const log = captureStream()
  const app = await buildApp(t, {}, { logger: { level: 'trace', stream: log.stream } })
  const { clientId, clientSecret, agentId } = await createOrganization(app)

  const json = await app.inject({ method: 'POST', url: '/api/v1/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret } })
  t.equal(json.statusCode, 200, 'JSON body')
  const form = await app.inject({
    method: 'POST',
    url: '/api/v1/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString()
  })
  t.equal(form.statusCode, 200, 'form body')
  const basic = await app.inject({
    method: 'POST',
    url: '/api/v1/token',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
    payload: { grant_type: 'client_credentials' }
  })
  t.equal(basic.statusCode, 200, 'HTTP Basic')
  const refused = await app.inject({ method: 'POST', url: '/api/v1/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: `${clientSecret}x` } })
  t.equal(refused.statusCode, 401, 'a wrong secret')

  const token = json.json().access_token as string
  const authorization = `Bearer ${token}`
  t.equal((await app.inject({ url: `/api/v1/agents/${agentId}`, headers: { authorization } })).statusCode, 200)
  const created = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody() })
  t.equal(created.statusCode, 201)
  const credential = await app.inject({ method: 'POST', url: `/api/v1/agents/${created.json().agentId}/credentials`, headers: { authorization } })
  t.equal(credential.statusCode, 201)
  const introspected = await app.inject({ method: 'POST', url: '/api/v1/token/introspect', headers: { authorization }, payload: { token } })
  t.equal(introspected.json().active, true)
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/token/revoke', headers: { authorization }, payload: { token } })).statusCode, 200)
  t.equal((await app.inject({ url: '/api/v1/agents', headers: { authorization } })).statusCode, 401, 'a revoked token')
  await app.close()

  const output = log.text()
  t.match(output, '"msg":"request completed"', 'requests were logged')
  t.ok(output.split('\n').length > 20, 'plenty was logged')
  const secrets = { 'the admin secret': clientSecret, 'the new credential\'s secret': credential.json().clientSecret as string, 'the access token': token, 'the signature of the token': token.split('.')[2]! }
  for (const [what, secret] of Object.entries(secrets)) t.notOk(output.includes(secret), `${what} is not logged`)
})
