import t from 'tap'
import { adminSession, agentBody, buildApp } from './helpers.js'

const CARD = {
  description: 'Summarizes reports',
  a2aEndpointUrl: 'https://agents.example.com/a2a',
  skills: [{ id: 'summarize', name: 'Summarize', description: 'Summarizes a report', tags: ['text'] }],
  inputModes: ['text/plain', 'application/json; charset=utf-8'],
  outputModes: ['application/json'],
  isPublic: true
}

t.test('the agent card fields are optional: an agent without them reads back with empty values', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const created = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody() })
  t.equal(created.statusCode, 201)
  t.match(created.json(), { description: null, a2aEndpointUrl: null, skills: [], inputModes: [], outputModes: [], isPublic: false })
})

t.test('POST and PATCH accept, store and return them; null clears a text field', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const created = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody(CARD) })
  t.equal(created.statusCode, 201, created.body)
  const agent = created.json()
  t.match(agent, CARD)
  const fetched = await app.inject({ url: `/api/v1/agents/${agent.agentId}`, headers: { authorization } })
  t.same(fetched.json(), agent)

  const skills = [...CARD.skills, { id: 'translate', name: 'Translate', description: 'Translates', tags: ['text', 'i18n'] }]
  const patched = await app.inject({ method: 'PATCH', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization }, payload: { skills, description: null, isPublic: false } })
  t.equal(patched.statusCode, 200, patched.body)
  t.match(patched.json(), { skills, description: null, isPublic: false, a2aEndpointUrl: CARD.a2aEndpointUrl })
  const listed = await app.inject({ url: '/api/v1/agents', headers: { authorization } })
  t.same(listed.json().data.find((entry: { agentId: string }) => entry.agentId === agent.agentId).skills, skills)
  t.same((await app.sentryagent.agents.listCurrent(agent.organizationId)).map((entry) => entry.agentId).includes(agent.agentId), true)
  t.equal((await app.sentryagent.agents.lookup(agent.agentId))?.agentId, agent.agentId)
})

t.test('they are validated: URL scheme, sizes, unique skill ids, media-type-shaped modes', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const skill = CARD.skills[0]!
  const invalid: Array<Record<string, unknown>> = [
    { a2aEndpointUrl: 'ftp://agents.example.com/a2a' },
    { a2aEndpointUrl: 'javascript:alert(1)' },
    { a2aEndpointUrl: 'https://' },
    { a2aEndpointUrl: 'https://[::1' },
    { a2aEndpointUrl: `https://example.com/${'a'.repeat(2100)}` },
    { description: '' },
    { description: 'x'.repeat(2049) },
    { skills: [skill, { ...skill, name: 'Again' }] },
    { skills: [{ ...skill, tags: [] }] },
    { skills: [{ ...skill, extra: true }] },
    { skills: [{ id: 'no-name', description: 'd', tags: ['t'] }] },
    { skills: Array.from({ length: 65 }, (_, i) => ({ ...skill, id: `s${i}` })) },
    { inputModes: ['text'] },
    { inputModes: ['text/plain', 'text/plain'] },
    { outputModes: ['application/json extra'] },
    { isPublic: 'yes' }
  ]
  for (const fields of invalid) {
    const response = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody(fields) })
    t.equal(response.statusCode, 400, JSON.stringify(fields).slice(0, 80))
    t.equal(response.json().code, 'VALIDATION_ERROR')
  }
  const created = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody() })
  const duplicate = await app.inject({ method: 'PATCH', url: `/api/v1/agents/${created.json().agentId}`, headers: { authorization }, payload: { skills: [skill, skill] } })
  t.equal(duplicate.statusCode, 400)
  t.match(duplicate.json().message, /duplicate skill id summarize/)
})
