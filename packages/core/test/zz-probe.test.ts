import t from 'tap'
import { adminSession, buildApp } from './helpers.js'

t.test('probe', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const s = await adminSession(app)
  const r1 = await app.inject({ method: 'POST', url: '/api/v1/token', headers: { 'content-type': 'application/json' }, payload: '{bad' })
  console.log('malformed', r1.statusCode, r1.body)
  const r2 = await app.inject({ method: 'POST', url: '/api/v1/token', payload: { grant_type: 'client_credentials', client_id: s.clientId, client_secret: s.clientSecret, x: 'a'.repeat(20000) } })
  console.log('big', r2.statusCode, r2.body)
  const r3 = await app.inject({ method: 'POST', url: '/api/v1/token', payload: { } })
  console.log('missing', r3.statusCode, r3.body)
  const r4 = await app.inject({ method: 'GET', url: '/api/v1/agents', headers: { authorization: 'Bearer abc' } })
  console.log('bad bearer', r4.statusCode, r4.headers['www-authenticate'], r4.body)
  const r5 = await app.inject({ method: 'POST', url: '/api/v1/token', headers: { 'content-type': 'text/plain' }, payload: 'x' })
  console.log('415', r5.statusCode, r5.body)
  const r6 = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization: s.authorization, 'content-type': 'application/json' }, payload: '{bad' })
  console.log('agents malformed', r6.statusCode, r6.body)
  const r7 = await app.inject({ method: 'POST', url: '/api/v1/token', headers: { 'content-type': 'application/json' }, payload: '' })
  console.log('empty', r7.statusCode, r7.body)
})
