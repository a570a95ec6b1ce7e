import { randomUUID } from 'node:crypto'
import type { Test } from 'tap'
import type { KeyValueStore } from '../src/index.js'
import { eventually } from './helpers.js'

export interface StoreUnderTest {
  store: KeyValueStore
  /** Lets `seconds` pass for the store's expiry. */
  advance: (seconds: number) => Promise<void>
}

/** What every KeyValueStore must do, run against each implementation. */
export function keyValueStoreContract (t: Test, open: (t: Test) => Promise<StoreUnderTest>): void {
  const key = (): string => `contract:${randomUUID()}`

  t.test('get, set, getMany and delete', async (t) => {
    const { store } = await open(t)
    const [a, b, missing] = [key(), key(), key()]
    t.equal(await store.get(a), null)
    await store.set(a, 'one')
    await store.set(b, 'two')
    await store.set(b, 'two again')
    t.equal(await store.get(a), 'one')
    t.same(await store.getMany([b, missing, a]), ['two again', null, 'one'])
    t.same(await store.getMany([]), [])
    await store.delete(a)
    await store.delete(missing)
    t.equal(await store.get(a), null)
  })

  t.test('a key set with a ttl expires; one without stays', async (t) => {
    const { store, advance } = await open(t)
    const [expiring, lasting] = [key(), key()]
    await store.set(expiring, 'x', 1)
    await store.set(lasting, 'y')
    t.equal(await store.get(expiring), 'x')
    await advance(1.2)
    t.equal(await store.get(expiring), null)
    t.same(await store.getMany([expiring, lasting]), [null, 'y'])
  })

  t.test('increment counts from zero and expires ttl seconds after the key was created', async (t) => {
    const { store, advance } = await open(t)
    const counter = key()
    t.equal(await store.increment(counter, 1, 2), 1)
    await advance(1)
    t.equal(await store.increment(counter, 5, 2), 6, 'a later increment does not push the expiry back')
    await advance(1.2)
    t.equal(await store.get(counter), null)
    t.equal(await store.increment(counter, 2, 2), 2, 'a new window starts')
  })

  t.test('publish reaches every subscriber of the channel, and only them', async (t) => {
    const { store } = await open(t)
    const [channel, other] = [key(), key()]
    const first: string[] = []
    const second: string[] = []
    const elsewhere: string[] = []
    await store.subscribe(channel, (message) => first.push(message))
    await store.subscribe(channel, (message) => second.push(message))
    await store.subscribe(other, (message) => elsewhere.push(message))
    await store.publish(channel, 'hello')

    t.ok(await eventually(() => first.length === 1 && second.length === 1))
    t.same([first, second, elsewhere], [['hello'], ['hello'], []])
  })

  t.test('ping answers while the store is up', async (t) => {
    const { store } = await open(t)
    await t.resolves(store.ping())
  })
}
