import t from 'tap'
import { adminSession, buildApp } from './helpers.js'

t.test('optionalAuthentication: no Authorization header reaches the handler unauthenticated; a header is checked as usual', async (t) => {
  const app = await buildApp({}, {
    setup: (app) => {
      app.get('/maybe', { config: { scopes: ['agents:read'], optionalAuthentication: true } }, async (request) => ({ organizationId: request.principal?.organizationId ?? null }))
    }
  })
  t.teardown(() => app.close())
  const { authorization, organizationId } = await adminSession(app)
  t.same((await app.inject({ url: '/maybe' })).json(), { organizationId: null })
  t.same((await app.inject({ url: '/maybe', headers: { authorization } })).json(), { organizationId })
  t.equal((await app.inject({ url: '/maybe', headers: { authorization: 'Bearer nope' } })).statusCode, 401)
  t.equal((await app.inject({ url: '/api/v1/agents' })).statusCode, 401, 'other routes still require a token')
})
