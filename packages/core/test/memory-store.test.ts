import t from 'tap'
import Fastify from 'fastify'
import corePlugin, { MemoryKeyValueStore } from '../src/index.js'
import { ManualClock, accessToken, createAgent, createOrganization, createPool, testKeys } from './helpers.js'
import { keyValueStoreContract } from './key-value-store-contract.js'

t.test('MemoryKeyValueStore keeps the KeyValueStore contract', async (t) => {
  keyValueStoreContract(t, async (t) => {
    const clock = new ManualClock()
    const store = new MemoryKeyValueStore(clock)
    t.teardown(() => store.close())
    return { store, advance: async (seconds) => { clock.advance(seconds) } }
  })
})

t.test('closing a MemoryKeyValueStore drops its keys and subscriptions', async (t) => {
  const store = new MemoryKeyValueStore()
  const received: string[] = []
  await store.set('k', 'v')
  await store.subscribe('c', (message) => received.push(message))
  await store.close()

  t.equal(await store.get('k'), null)
  await store.publish('c', 'after close')
  t.same(received, [])
})

t.test('the plugin runs on the in-memory store (embedded mode): revocation and suspension still apply', async (t) => {
  const pool = createPool()
  t.teardown(() => pool.end())
  const store = new MemoryKeyValueStore()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(corePlugin, { database: pool, store, signingKeys: testKeys })
  const organization = await createOrganization(app)
  const adminToken = await accessToken(app, organization.clientId, organization.clientSecret)
  const authorization = `Bearer ${adminToken}`
  const agent = await createAgent(app, authorization)
  const agentToken = await accessToken(app, agent.agentId, agent.clientSecret)

  t.equal((await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${agentToken}` } })).statusCode, 200)
  await app.inject({ method: 'PATCH', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization }, payload: { status: 'suspended' } })
  t.equal((await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${agentToken}` } })).statusCode, 401)

  await app.inject({ method: 'POST', url: '/api/v1/token/revoke', headers: { authorization }, payload: { token: adminToken } })
  t.equal((await app.inject({ url: '/api/v1/agents', headers: { authorization } })).statusCode, 401)
})
