import t from 'tap'
import { TokenCache } from '../src/crypto/token-cache.js'

const token = (payload: string, signature: string): string => `eyJhbGciOiJFUzI1NiJ9.${payload}.${signature}`

t.test('a value is found by its whole token only, not by another with the same signature segment', async (t) => {
  const cache = new TokenCache<string>(10)
  cache.set(token('cGF5bG9hZA', 'c2ln'), 'principal')
  t.equal(cache.get(token('cGF5bG9hZA', 'c2ln')), 'principal', 'an equal token, another string instance')
  t.equal(cache.get(token('b3RoZXI', 'c2ln')), undefined, 'another payload under a copied signature')
  t.equal(cache.get('c2ln'), undefined, 'the signature alone')
  t.equal(cache.get(token('cGF5bG9hZA', 'b3RoZXI')), undefined, 'another signature')
})

t.test('delete removes the entry of that token, and leaves one it shares a signature with', async (t) => {
  const cache = new TokenCache<string>(10)
  cache.set(token('YQ', 's1'), 'a')
  cache.delete(token('Yg', 's1'))
  t.equal(cache.get(token('YQ', 's1')), 'a', 'a different token with the same segment deletes nothing')
  cache.delete(token('YQ', 's1'))
  t.equal(cache.get(token('YQ', 's1')), undefined)
})

t.test('the least recently used entry goes first', async (t) => {
  const cache = new TokenCache<number>(2)
  cache.set(token('YQ', 's1'), 1)
  cache.set(token('Yg', 's2'), 2)
  cache.get(token('YQ', 's1'))
  cache.set(token('Yw', 's3'), 3)
  t.equal(cache.get(token('Yg', 's2')), undefined, 'evicted')
  t.equal(cache.get(token('YQ', 's1')), 1)
  t.equal(cache.get(token('Yw', 's3')), 3)
})
