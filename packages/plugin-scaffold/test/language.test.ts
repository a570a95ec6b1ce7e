import t from 'tap'
import { LANGUAGES } from '../src/index.js'
import { buildApp, createTenant, scaffoldUrl } from './helpers.js'

t.test('an unknown language answers 400 listing the supported ones', async (t) => {
  const app = await buildApp(t)
  const tenant = await createTenant(app)
  for (const language of ['cobol', 'TypeScript', '']) {
    const response = await app.inject({ method: 'GET', url: scaffoldUrl(tenant.agent.agentId, language), headers: { authorization: tenant.authorization } })
    t.equal(response.statusCode, 400, JSON.stringify(language))
    t.match(response.json(), {
      code: 'UNSUPPORTED_LANGUAGE',
      message: `Unsupported language "${language}"; supported: typescript, python, go, java, rust`,
      details: { supported: [...LANGUAGES] }
    })
  }
})

t.test('an unknown language is refused before the agent is looked up, and nothing is audited', async (t) => {
  const app = await buildApp(t)
  const tenant = await createTenant(app)
  const response = await app.inject({ method: 'GET', url: scaffoldUrl('00000000-0000-4000-8000-000000000000', 'cobol'), headers: { authorization: tenant.authorization } })
  t.equal(response.json().code, 'UNSUPPORTED_LANGUAGE')
  await app.sentryagent.audit.flush()
  const { events } = await app.sentryagent.audit.list(tenant.organizationId, { page: 1, limit: 10, action: 'scaffold.downloaded' })
  t.same(events, [])
})

t.test('a malformed agent id or an unknown query parameter is a validation error', async (t) => {
  const app = await buildApp(t)
  const tenant = await createTenant(app)
  const badId = await app.inject({ method: 'GET', url: scaffoldUrl('not-a-uuid'), headers: { authorization: tenant.authorization } })
  t.equal(badId.json().code, 'VALIDATION_ERROR')
  const extra = await app.inject({ method: 'GET', url: `${scaffoldUrl(tenant.agent.agentId)}?lang=go`, headers: { authorization: tenant.authorization } })
  t.equal(extra.json().code, 'VALIDATION_ERROR')
})
