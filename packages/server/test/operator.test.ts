import t from 'tap'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { buildServer, OPERATOR_FILE, readConfig, type OperatorHandle } from '../src/index.js'
import { buildApp, requestToken, tempDir } from './helpers.js'

t.test('the operator endpoint creates organizations only for the holder of server.json\'s token', async (t) => {
  const dataDir = await tempDir(t, 'sentryagent-operator-')
  const app = await buildServer(readConfig({ SENTRYAGENT_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }))
  t.teardown(() => app.close())
  const file = join(dataDir, OPERATOR_FILE)
  await app.ready()
  await t.rejects(stat(file), { code: 'ENOENT' }, 'no handle before the server listens')

  await app.listen({ port: 0, host: '127.0.0.1' })
  const handle = JSON.parse(await readFile(file, 'utf8')) as OperatorHandle
  t.equal((await stat(file)).mode & 0o777, 0o600, 'only the data\'s owner may read the token')
  t.equal(handle.pid, process.pid)
  t.equal(handle.url, `http://127.0.0.1:${(app.server.address() as { port: number }).port}`)
  t.ok(handle.operatorToken.length >= 43, 'a 256-bit token')

  const create = (headers: Record<string, string>, body: unknown = { name: 'Operator Org', tier: 'pro' }) =>
    fetch(`${handle.url}/internal/operator/organizations`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

  const forged: Record<string, Record<string, string>> = {
    missing: {},
    wrong: { 'x-sentryagent-operator': `${handle.operatorToken.slice(0, -1)}${handle.operatorToken.endsWith('A') ? 'B' : 'A'}` },
    short: { 'x-sentryagent-operator': 'x' }
  }
  for (const [what, headers] of Object.entries(forged)) {
    const refused = await create(headers)
    t.equal(refused.status, 401, `${what} token`)
    t.equal((await refused.json() as { code: string }).code, 'UNAUTHORIZED')
  }
  const strangerWithBadBody = await create({}, { tier: 'platinum' })
  t.equal(strangerWithBadBody.status, 401, 'the token is checked before the body')

  const invalid = await create({ 'x-sentryagent-operator': handle.operatorToken }, { name: '', tier: 'platinum' })
  t.equal(invalid.status, 400)
  t.equal((await invalid.json() as { code: string }).code, 'VALIDATION_ERROR')

  const created = await create({ 'x-sentryagent-operator': handle.operatorToken })
  t.equal(created.status, 201)
  t.equal(created.headers.get('cache-control'), 'no-store')
  const organization = await created.json() as { organizationId: string, clientId: string, clientSecret: string }
  t.match(organization, { organizationId: String, clientId: String, clientSecret: /^sk_live_/ })
  const token = await requestToken(app, organization.clientId, organization.clientSecret)
  t.ok(token, 'the new admin can get a token')

  await app.close()
  await t.rejects(stat(file), { code: 'ENOENT' }, 'the handle is removed on close')
})

t.test('production servers have no operator endpoint', async (t) => {
  const app = await buildApp(t)
  const response = await app.inject({ method: 'POST', url: '/internal/operator/organizations', payload: { name: 'x', tier: 'free' } })
  t.equal(response.statusCode, 404)
  t.equal(response.json().code, 'NOT_FOUND')
})
