import t from 'tap'
import { ConfigError, readConfig } from '../src/index.js'

const [NEW_SEALING_KEY, OLD_SEALING_KEY] = ['u1K8oOQ3mV0CwAq6t3Zr0kZ7Yq2bW1m9cVQfH8sJx4E=', 'Qm9yZWQgd2l0aCB0aGlzIGtleTsgc2hlIHdhcyBvbGQ=']

t.test('an empty environment gives the embedded defaults', async (t) => {
  t.same(readConfig({}), {
    port: 3000,
    host: '127.0.0.1',
    databaseUrl: undefined,
    redisUrl: undefined,
    dataDir: '.sentryagent',
    jwtPrivateKey: undefined,
    jwtPublicKey: undefined,
    jwtAlgorithm: 'ES256',
    credentialSealingKeys: [],
    publicUrl: 'http://127.0.0.1:3000',
    apiPrefix: '/api/v1',
    logLevel: 'info',
    rateLimitEnabled: true,
    rateLimitPerMinute: 600,
    bodyLimitBytes: 1024 * 1024,
    corsOrigins: [],
    trustProxy: false,
    features: { a2a: true, analytics: true, tierRateLimiting: true, scaffold: true, agntcy: true }
  })
})

t.test('every variable is read', async (t) => {
  const config = readConfig({
    PORT: '8080',
    HOST: '0.0.0.0',
    DATABASE_URL: 'postgresql://user:pw@db.internal:5432/sentryagent',
    REDIS_URL: 'rediss://cache.internal:6380',
    SENTRYAGENT_DATA_DIR: '/var/lib/sentryagent',
    // Single-line PEMs with literal \n, as container platforms pass them.
    JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nAAA\\n-----END PRIVATE KEY-----',
    JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nBBB\\n-----END PUBLIC KEY-----',
    JWT_ALGORITHM: 'RS256',
    CREDENTIAL_SEALING_KEYS: ` ${NEW_SEALING_KEY}, ${OLD_SEALING_KEY},jwt-derived`,
    PUBLIC_URL: 'https://idp.example.com/',
    API_PREFIX: '/identity/v2',
    LOG_LEVEL: 'debug',
    RATE_LIMIT_ENABLED: 'false',
    RATE_LIMIT_PER_MINUTE: '42',
    BODY_LIMIT_BYTES: '4096',
    A2A_ENABLED: 'false',
    ANALYTICS_ENABLED: '0',
    TIER_RATE_LIMITING_ENABLED: 'FALSE',
    SCAFFOLD_ENABLED: 'true',
    AGNTCY_ENABLED: ' false ',
    TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,loopback'
  })
  t.same(config, {
    port: 8080,
    host: '0.0.0.0',
    databaseUrl: 'postgresql://user:pw@db.internal:5432/sentryagent',
    redisUrl: 'rediss://cache.internal:6380',
    dataDir: '/var/lib/sentryagent',
    jwtPrivateKey: '-----BEGIN PRIVATE KEY-----\nAAA\n-----END PRIVATE KEY-----',
    jwtPublicKey: '-----BEGIN PUBLIC KEY-----\nBBB\n-----END PUBLIC KEY-----',
    jwtAlgorithm: 'RS256',
    credentialSealingKeys: [NEW_SEALING_KEY, OLD_SEALING_KEY, 'jwt-derived'],
    publicUrl: 'https://idp.example.com',
    apiPrefix: '/identity/v2',
    logLevel: 'debug',
    rateLimitEnabled: false,
    rateLimitPerMinute: 42,
    bodyLimitBytes: 4096,
    corsOrigins: [],
    trustProxy: ['10.0.0.0/8', '192.168.1.7', 'loopback'],
    features: { a2a: false, analytics: false, tierRateLimiting: false, scaffold: true, agntcy: false }
  })
})

t.test('the default public URL is one a browser can reach', async (t) => {
  t.equal(readConfig({ HOST: '0.0.0.0', PORT: '4000' }).publicUrl, 'http://127.0.0.1:4000', 'a wildcard address becomes loopback')
  t.equal(readConfig({ HOST: '::' }).publicUrl, 'http://127.0.0.1:3000')
  t.equal(readConfig({ HOST: '::1' }).publicUrl, 'http://[::1]:3000', 'an IPv6 host is bracketed')
  t.equal(readConfig({ HOST: 'idp.local' }).publicUrl, 'http://idp.local:3000')
})

t.test('blank values count as unset', async (t) => {
  const config = readConfig({ PORT: '', DATABASE_URL: '  ', LOG_LEVEL: '' })
  t.equal(config.port, 3000)
  t.equal(config.databaseUrl, undefined)
  t.equal(config.logLevel, 'info')
})

t.test('bad values are all reported at once', async (t) => {
  let caught: unknown
  try {
    readConfig({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      A2A_ENABLED: 'maybe',
      DATABASE_URL: 'mysql://x',
      JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----'
    })
  } catch (error) {
    caught = error
  }
  t.type(caught, ConfigError)
  const error = caught as ConfigError
  t.equal(error.code, 'SENTRYAGENT_SERVER_INVALID_CONFIG')
  t.equal(error.problems.length, 5, error.message)
  for (const name of ['PORT', 'LOG_LEVEL', 'A2A_ENABLED', 'DATABASE_URL', 'JWT_PRIVATE_KEY']) {
    t.ok(error.problems.some((problem) => problem.startsWith(name)), `${name} is named`)
    t.match(error.message, name, `the message lists ${name}`)
  }
})

t.test('each value is checked against its own rule', async (t) => {
  const invalid: Array<Record<string, string>> = [
    { PORT: '70000' },
    { PORT: '3.5' },
    { REDIS_URL: 'http://cache' },
    { REDIS_URL: 'not a url' },
    { JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' },
    { JWT_ALGORITHM: 'HS256' },
    { PUBLIC_URL: 'ftp://idp.example.com' },
    { PUBLIC_URL: 'https://example.com/idp' },
    { API_PREFIX: 'api/v1' },
    { API_PREFIX: '/api v1' },
    { RATE_LIMIT_ENABLED: 'yes' },
    { RATE_LIMIT_PER_MINUTE: '0' },
    { BODY_LIMIT_BYTES: '10' },
    { TRUST_PROXY: 'true' },
    { TRUST_PROXY: '2' },
    { TRUST_PROXY: '10.0.0.0/33' },
    { TRUST_PROXY: 'balancer.internal' },
    { TRUST_PROXY: '10.0.0.1/8/1' }
  ]
  for (const env of invalid) {
    t.throws(() => readConfig(env), { code: 'SENTRYAGENT_SERVER_INVALID_CONFIG' }, JSON.stringify(env))
  }
})

t.test('TRUST_PROXY takes the balancer\'s addresses', async (t) => {
  t.same(readConfig({ TRUST_PROXY: 'fd00::/8,::1' }).trustProxy, ['fd00::/8', '::1'])
  t.equal(readConfig({ TRUST_PROXY: 'false' }).trustProxy, false)
})

t.test('REDIS_CLUSTER makes REDIS_URL the cluster\'s seed nodes', async (t) => {
  const config = readConfig({ REDIS_CLUSTER: 'true', REDIS_URL: 'rediss://:pw@node-a.internal:6380, rediss://:pw@node-b.internal:6380/0' })
  t.same(config.redisClusterNodes, ['rediss://:pw@node-a.internal:6380', 'rediss://:pw@node-b.internal:6380/0'])
  t.equal(config.redisUrl, 'rediss://:pw@node-a.internal:6380, rediss://:pw@node-b.internal:6380/0', 'set: Redis is used')
  t.notOk('redisClusterNodes' in readConfig({ REDIS_URL: 'redis://cache:6379' }), 'unset: one Redis')
  const problems = (env: Record<string, string>): string[] => {
    try {
      readConfig(env)
      return []
    } catch (error) {
      return (error as ConfigError).problems
    }
  }
  t.match(problems({ REDIS_CLUSTER: 'true' }), [/^REDIS_CLUSTER needs REDIS_URL/], 'the seeds are required')
  t.match(problems({ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://a:1,redis://b:2/3' }), [/node 2 is not one/], 'a cluster has database 0 only')
  t.match(problems({ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://a:1,http://b:2' }), [/node 2 is not one/])
  const mixed = problems({ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://:secret@a:1,rediss://:secret@b:2' })
  t.match(mixed, [/node 2 differs from the first/], 'one scheme and one set of credentials for every node')
  t.notMatch(mixed.join(' '), 'secret', 'no password in the message')
  t.match(problems({ REDIS_CLUSTER: 'maybe' }), [/^REDIS_CLUSTER must be true or false/])
})

t.test('the tier limiter\'s Redis failure policy and upgrade URL are read when set', async (t) => {
  const config = readConfig({ RATE_LIMIT_REDIS_FAILURE: 'closed', UPGRADE_URL: 'https://billing.example.com/upgrade' })
  t.equal(config.rateLimitRedisFailure, 'closed')
  t.equal(config.upgradeUrl, 'https://billing.example.com/upgrade')
  t.notOk('rateLimitRedisFailure' in readConfig({}), 'unset: the plugin\'s default (open)')
  const error = (() => { try { readConfig({ RATE_LIMIT_REDIS_FAILURE: 'maybe', UPGRADE_URL: 'ftp://x' }) } catch (thrown) { return thrown } })()
  t.ok(error instanceof ConfigError)
  t.equal((error as ConfigError).problems.length, 2, 'both reported')
})

t.test('Stripe billing is configured by its key and webhook secret together', async (t) => {
  const config = readConfig({
    STRIPE_SECRET_KEY: 'sk_test_1',
    STRIPE_WEBHOOK_SECRET: 'whsec_1',
    STRIPE_API_URL: 'http://127.0.0.1:12111',
    BILLING_SUCCESS_URL: 'https://app.example.com/billing/done',
    BILLING_CANCEL_URL: 'https://app.example.com/billing'
  })
  t.same(config.stripe, { secretKey: 'sk_test_1', webhookSecret: 'whsec_1', apiUrl: 'http://127.0.0.1:12111' })
  t.equal(config.billingSuccessUrl, 'https://app.example.com/billing/done')
  t.equal(config.billingCancelUrl, 'https://app.example.com/billing')
  t.notOk('stripe' in readConfig({}), 'unset: billing answers 501')
  const error = (() => { try { readConfig({ STRIPE_SECRET_KEY: 'sk_test_1' }) } catch (thrown) { return thrown } })()
  t.ok(error instanceof ConfigError && error.problems[0]!.includes('STRIPE_WEBHOOK_SECRET'))
})

t.test('credential sealing keys must be 32 bytes in base64 (or jwt-derived), and a bad one is not echoed', async (t) => {
  for (const value of ['c2hvcnQ=', `${NEW_SEALING_KEY},not-base64-at-all-but-just-as-long-as-a-key-is`]) {
    const error = (() => { try { readConfig({ CREDENTIAL_SEALING_KEYS: value }) } catch (thrown) { return thrown } })()
    t.ok(error instanceof ConfigError, value)
    const [problem] = (error as ConfigError).problems
    t.match(problem, /^CREDENTIAL_SEALING_KEYS must list keys of 32 bytes in base64/)
    t.notMatch((error as ConfigError).message, value.split(',').pop()!, 'the value stays out of the message')
  }
})
