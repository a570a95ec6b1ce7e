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

t.test('reads of one event-loop pass share a connection of the store\'s own, which close ends', async (t) => {
  const name = `reads-${randomUUID()}`
  const redis = new Redis(redisUrl(), { connectionName: name })
  t.teardown(() => redis.disconnect())
  const store = new RedisKeyValueStore(redis)
  const key = `redis-store:${randomUUID()}`
  await redis.set(key, 'v')
  // The store's connection takes its owner's settings, name included, and opens on first use.
  const clients = async (): Promise<number> => (await redis.client('LIST') as string).split('\n').filter((line) => line.includes(`name=${name}`)).length
  const commands = async (): Promise<number> => Number(/cmdstat_mget:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0)
  t.same(await store.getMany([key, `${key}:absent`]), ['v', null], 'answered while its connection opens')
  t.ok(await eventually(async () => await clients() === 2), 'the reads connection is up')
  const before = await commands()
  const answers = await Promise.all(Array.from({ length: 20 }, async () => store.getMany([key])))
  t.same(answers, Array.from({ length: 20 }, () => ['v']), 'every read gets its own answer')
  t.equal(await commands() - before, 20, 'one MGET each')
  await store.close()
  t.ok(await eventually(async () => await clients() === 1), 'close ends the store\'s connection')
  t.same(await store.getMany([key]), ['v'], 'the owner\'s client answers after close')
  t.equal(await clients(), 1, 'and no connection is opened again')
  await redis.del(key)
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
