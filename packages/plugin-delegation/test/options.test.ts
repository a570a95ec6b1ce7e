import t from 'tap'
import Fastify from 'fastify'
import { coreMigrationsDirectory, loadMigrations, runMigrations } from '@sentryagent/core'
import delegationPlugin, { DEFAULTS, delegationMigrationsDirectory } from '../src/index.js'
import { testApp } from '@sentryagent/test-app'
import { buildApp, chain, delegate, organizationWithAgents } from './helpers.js'

t.test('invalid options throw a coded error at registration', async (t) => {
  for (const options of [{ maxLiveLinksPerDelegator: 0 }, { exchangedTokenTtlSeconds: 1.5 }, { cacheSize: -1 }, { migrate: 'yes' as unknown as boolean }, { preparedStatements: 1 as unknown as boolean }]) {
    const app = Fastify()
    t.teardown(() => app.close())
    app.decorate('sentryagent', {} as never)
    await t.rejects(async () => { await app.register(delegationPlugin, options).ready() }, { code: 'SENTRYAGENT_DELEGATION_INVALID_OPTION' })
  }
  t.same(DEFAULTS, { migrate: true, maxLiveLinksPerDelegator: 1000, exchangedTokenTtlSeconds: 300, cacheSize: 50_000 })
})

t.test('the plugin needs core registered first', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(delegationPlugin).ready() }, { code: 'SENTRYAGENT_DELEGATION_MISSING_CORE' })
})

t.test('depth limits and migrations can be supplied by the host', async (t) => {
  // The host applies every package's migrations in one global order, as the server's CLI does.
  const { app: host, registerCore } = testApp(t)
  await registerCore({})
  await runMigrations(host.sentryagent.db, await loadMigrations([coreMigrationsDirectory, delegationMigrationsDirectory]))
  const app = await buildApp(t, { migrate: false, preparedStatements: false, depthLimits: { maxDepth: async () => 1 }, exchangedTokenTtlSeconds: 60 })
  const { agents: [a, b, c] } = await organizationWithAgents(app, 3)
  const [ab] = await chain(app, [a!, b!])
  const response = await delegate(app, b!, { delegateeAgentId: c!.agentId, parentDelegationToken: ab!.delegationToken, ttlSeconds: 60 })
  t.match(response.json(), { code: 'DELEGATION_DEPTH_EXCEEDED', message: /at most 1 links/ })
})
