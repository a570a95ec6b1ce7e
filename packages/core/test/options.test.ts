import t from 'tap'
import Fastify from 'fastify'
import { MemoryKeyValueStore, SigningKeys, type CoreOptions } from '../src/index.js'
import corePlugin from '../src/index.js'
import { buildApp, createPool, testKeys } from './helpers.js'

const rsaKeys = SigningKeys.generatePem('RS256')
const otherEcKeys = SigningKeys.generatePem('ES256')

t.test('invalid options throw SENTRYAGENT_CORE_INVALID_OPTION at registration', async (t) => {
  const cases: Array<[string, Partial<CoreOptions>]> = [
    ['prefix without a leading slash', { prefix: 'api/v1' }],
    ['prefix with a trailing slash', { prefix: '/api/v1/' }],
    ['prefix with a space', { prefix: '/api v1' }],
    ['ttl below a minute', { tokenTtlSeconds: 59 }],
    ['ttl above a day', { tokenTtlSeconds: 86_401 }],
    ['fractional ttl', { tokenTtlSeconds: 90.5 }],
    ['unknown algorithm', { jwtAlgorithm: 'HS256' as 'ES256' }],
    ['relative publicUrl', { publicUrl: '/idp' }],
    ['publicUrl that is not a URL', { publicUrl: 'not a url' }],
    ['publicUrl without an http(s) origin', { publicUrl: 'urn:example:idp' }],
    ['ES256 with an RSA key', { signingKeys: rsaKeys }],
    ['RS256 with an EC key', { jwtAlgorithm: 'RS256', signingKeys: testKeys }],
    ['keys that are not PEM', { signingKeys: { privateKey: 'nope', publicKey: 'nope' } }],
    ['a public key of another pair', { signingKeys: { privateKey: testKeys.privateKey, publicKey: otherEcKeys.publicKey } }],
    ['zero flush interval', { usageFlushIntervalMs: 0 }],
    ['flush interval beyond setInterval', { usageFlushIntervalMs: 2 ** 31 }],
    ['empty verified-token cache', { verifiedTokenCacheSize: 0 }],
    ['agent cache TTL above 30 s', { agentCacheTtlMs: 30_001 }],
    ['negative agent cache TTL', { agentCacheTtlMs: -1 }]
  ]
  for (const [name, options] of cases) {
    await t.rejects(buildApp(options), { code: 'SENTRYAGENT_CORE_INVALID_OPTION' }, name)
  }
})

t.test('the required services must be given', async (t) => {
  const pool = createPool()
  t.teardown(() => pool.end())
  const store = new MemoryKeyValueStore()
  const complete = { database: pool, store, signingKeys: testKeys }

  for (const missing of ['database', 'store', 'signingKeys'] as const) {
    const app = Fastify()
    t.teardown(() => app.close())
    const options: Partial<CoreOptions> = { ...complete }
    delete options[missing]
    await t.rejects(async () => { await app.register(corePlugin, options as CoreOptions).ready() }, { code: 'SENTRYAGENT_CORE_INVALID_OPTION' }, missing)
  }
})

t.test('valid options are resolved once: publicUrl is reduced to its origin, undefined means the default', async (t) => {
  const app = await buildApp({ publicUrl: 'HTTPS://IdP.Example.test:443/some/path?q=1', tokenTtlSeconds: undefined, usageFlushIntervalMs: 100, verifiedTokenCacheSize: 1 })
  t.teardown(() => app.close())

  t.match(app.sentryagent.options, { publicUrl: 'https://idp.example.test', tokenTtlSeconds: 3600, prefix: '/api/v1', jwtAlgorithm: 'ES256', migrate: true })
})
