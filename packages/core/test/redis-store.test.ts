import { randomUUID } from 'node:crypto'
import t from 'tap'
import { Redis } from 'ioredis'
import { RedisKeyValueStore } from '../src/index.js'
import { eventually, redisUrl } from './helpers.js'
import { keyValueStoreContract } from './key-value-store-contract.js'

t.test('RedisKeyValueStore keeps the KeyValueStore contract', async (t) => {
  keyValueStoreContract(t, async (t) => {
    const redis = new Redis(redisUrl())
    const store = new RedisKeyValueStore(redis)
    t.teardown(async () => { await store.close(); redis.disconnect() })
    return { store, advance: async (seconds) => { await new Promise((resolve) => setTimeout(resolve, seconds * 1000)) } }
  })
})

t.test('a fractional ttl is rounded up to whole seconds, never to zero', async (t) => {
  const redis = new Redis(redisUrl())
  t.teardown(() => redis.disconnect())
  const store = new RedisKeyValueStore(redis)
  const key = `redis-store:${randomUUID()}`

  await store.set(key, 'v', 0.2)
  t.equal(await redis.ttl(key), 1)
  await store.set(key, 'v', 2.5)
  t.equal(await redis.ttl(key), 3)
  await store.delete(key)
})

t.test('close ends only the subscriber connection the store opened', async (t) => {
  const redis = new Redis(redisUrl())
  t.teardown(() => redis.disconnect())
  const store = new RedisKeyValueStore(redis)
  const channel = `redis-store:${randomUUID()}`
  const received: string[] = []
  await store.subscribe(channel, (message) => received.push(message))
  await store.close()

  await store.publish(channel, 'after close')
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.same(received, [])
  t.equal(await redis.ping(), 'PONG', 'the caller\'s client is still open')
  await t.resolves(store.close(), 'closing twice is harmless')
})

t.test('after its broadcast connection drops, the store stops listening, resubscribes, then says what may be missed', async (t) => {
  const name = `redis-store-${randomUUID()}`
  const redis = new Redis(redisUrl(), { connectionName: name })
  const admin = new Redis(redisUrl())
  const store = new RedisKeyValueStore(redis)
  t.teardown(async () => { await store.close(); redis.disconnect(); admin.disconnect() })
  const channel = `redis-store:${randomUUID()}`
  const received: string[] = []
  const seenWhileResuming: boolean[] = []
  store.onListeningResumed(() => seenWhileResuming.push(store.listening))
  await store.subscribe(channel, (message) => received.push(message))
  t.ok(await eventually(() => store.listening), 'listening once subscribed')
  t.same(seenWhileResuming, [], 'nothing missed on the first connection')

  const clients = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub') as string).split('\n').filter((line) => line.includes(`name=${name}`))
  t.equal(clients.length, 1, 'one subscriber connection')
  await admin.call('CLIENT', 'KILL', 'ID', /id=(\d+)/.exec(clients[0]!)![1]!)
  t.ok(await eventually(() => seenWhileResuming.length === 1), 'resumption reported once the connection is back')
  t.same(seenWhileResuming, [false], 'still not listening while the caches are told, so none refills early')
  t.ok(store.listening)
  await store.publish(channel, 'after the drop')
  t.ok(await eventually(() => received.length === 1), 'the subscription was restored')
  t.same(received, ['after the drop'])
})
