import { randomUUID } from 'node:crypto'
import t from 'tap'
import { decodeJwt } from 'jose'
import { PLATFORM_SCOPES } from '../src/index.js'
import { accessToken, buildApp, createOrganization, createPool } from './helpers.js'

t.test('a new organization has a subscription and an admin agent holding every platform scope', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const pool = createPool()
  t.teardown(() => pool.end())

  const created = await createOrganization(app, 'pro')
  t.equal(created.clientId, created.agentId)
  t.match(await app.sentryagent.organizations.get(created.organizationId), { organizationId: created.organizationId, status: 'active', tier: 'pro', createdAt: String })
  const token = await accessToken(app, created.clientId, created.clientSecret)
  t.same(String(decodeJwt(token).scope).split(' '), [...PLATFORM_SCOPES])
  const admin = (await app.inject({ url: `/api/v1/agents/${created.agentId}`, headers: { authorization: `Bearer ${token}` } })).json()
  t.match(admin, { agentType: 'orchestrator', deploymentEnv: 'production', status: 'active', capabilities: [...PLATFORM_SCOPES] })

  const { rows } = await pool.query('SELECT tier, status FROM tenant_subscriptions WHERE organization_id = $1', [created.organizationId])
  t.same(rows, [{ tier: 'pro', status: 'active' }])
  const free = await createOrganization(app)
  t.equal((await app.sentryagent.organizations.get(free.organizationId)).tier, 'free', 'new tenants are free by default')
})

t.test('an unknown organization is ORGANIZATION_NOT_FOUND', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  await t.rejects(app.sentryagent.organizations.get(randomUUID()), { code: 'ORGANIZATION_NOT_FOUND', statusCode: 404 })
})

t.test('an invalid organization leaves nothing behind', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const pool = createPool()
  t.teardown(() => pool.end())
  const before = (await pool.query('SELECT count(*)::int AS n FROM agents')).rows[0].n

  await t.rejects(app.sentryagent.organizations.create('x'.repeat(129), 'free'), { code: '23514' })
  t.equal((await pool.query('SELECT count(*)::int AS n FROM agents')).rows[0].n, before, 'the transaction rolled back')
})
