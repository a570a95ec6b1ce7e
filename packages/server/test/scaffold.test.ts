import t from 'tap'
import { adminSession, buildApp } from './helpers.js'

async function downloads (app: Awaited<ReturnType<typeof buildApp>>, count: number): Promise<Array<{ status: number, code?: string }>> {
  const admin = await adminSession(app)
  const answers = []
  for (let i = 0; i < count; i++) {
    const response = await app.inject({ method: 'GET', url: `/api/v1/sdk/scaffold/${admin.agentId}?language=python`, headers: { authorization: admin.authorization } })
    answers.push({ status: response.statusCode, ...(response.statusCode === 200 ? {} : { code: response.json<{ code: string }>().code }) })
  }
  return answers
}

t.test('SCAFFOLD_ENABLED=false: the scaffold path answers 404', async (t) => {
  const app = await buildApp(t, { SCAFFOLD_ENABLED: 'false' })
  t.same(await downloads(app, 1), [{ status: 404, code: 'NOT_FOUND' }])
})

t.test('scaffold on (the default): the starter ZIP is served', async (t) => {
  const app = await buildApp(t, { PUBLIC_URL: 'https://idp.example.com' })
  const admin = await adminSession(app)
  const response = await app.inject({ method: 'GET', url: `/api/v1/sdk/scaffold/${admin.agentId}?language=go`, headers: { authorization: admin.authorization } })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['content-type'], 'application/zip')
  t.match(response.headers['content-disposition'], /^attachment; filename="sentryagent-scaffold-[a-z0-9-]+-go\.zip"$/)
  t.ok(response.rawPayload.subarray(0, 4).equals(Buffer.from('PK\u0003\u0004', 'latin1')), 'a ZIP')
})

// The route's own limit (10 a minute per tenant) holds whichever limiter the server runs.
for (const [limiter, env] of [['the tier limiter', {}], ['the flat limiter', { TIER_RATE_LIMITING_ENABLED: 'false' }]] as const) {
  t.test(`with ${limiter}, the 11th download in a minute is refused with 429`, async (t) => {
    const app = await buildApp(t, env)
    const answers = await downloads(app, 11)
    t.same(answers.slice(0, 10).map((answer) => answer.status), Array(10).fill(200))
    t.equal(answers[10]?.status, 429)
    t.match(answers[10]?.code, /RATE_LIMIT/)
  })
}
