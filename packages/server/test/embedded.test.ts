import t from 'tap'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildServer, openRuntime, readConfig } from '../src/index.js'
import { agentBody, requestToken, tempDir } from './helpers.js'

const kidOf = async (app: FastifyInstance): Promise<string> => (await app.inject({ url: '/.well-known/jwks.json' })).json().keys[0].kid

t.test('with no DATABASE_URL the server runs on PGlite and keeps its data and key across restarts', async (t) => {
  const dataDir = await tempDir(t, 'sentryagent-embedded-')
  const config = readConfig({ SENTRYAGENT_DATA_DIR: dataDir, LOG_LEVEL: 'silent' })
  t.equal(config.databaseUrl, undefined)

  const first = await buildServer(config)
  t.teardown(() => first.close())
  const detailed = await first.inject({ url: '/health/detailed' })
  t.equal(detailed.statusCode, 200, detailed.body)
  t.match(detailed.json(), { mode: 'embedded', checks: { database: { status: 'up' }, cache: { status: 'up', backend: 'memory' } } })

  const organization = await first.sentryagent.organizations.create('Embedded Org', 'free')
  const token = await requestToken(first, organization.clientId, organization.clientSecret)
  const authorization = `Bearer ${token}`
  const created = await first.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody() })
  t.equal(created.statusCode, 201, created.body)
  const agent = created.json()
  const fetched = await first.inject({ url: `/api/v1/agents/${agent.agentId}`, headers: { authorization } })
  t.same(fetched.json(), agent)
  const kid = await kidOf(first)
  t.equal((await stat(join(dataDir, 'signing-key-es256.json'))).mode & 0o777, 0o600, 'the generated key is readable by its owner only')

  await t.rejects(openRuntime(config), { code: 'SENTRYAGENT_SERVER_DATA_DIR_IN_USE' }, 'a second opener is refused while the first holds the data')
  await first.close()

  const second = await buildServer(config)
  t.teardown(() => second.close())
  t.equal(await kidOf(second), kid, 'the same signing key after a restart')
  const again = await second.inject({ url: `/api/v1/agents/${agent.agentId}`, headers: { authorization } })
  t.equal(again.statusCode, 200, 'a token issued before the restart still verifies')
  t.same(again.json(), agent, 'the agent persisted')
  const freshToken = await requestToken(second, organization.clientId, organization.clientSecret)
  t.equal((await second.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${freshToken}` } })).json().total, 2, 'the admin and the agent')
})
