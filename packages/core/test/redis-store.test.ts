import { randomUUID } from 'node:crypto'
import t from 'tap'
import { Redis } from 'ioredis'
import { RedisKeyValueStore } from '../src/index.js'
import { redisUrl } from './helpers.js'
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
