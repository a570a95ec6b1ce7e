import t from 'tap'
import { run } from '../src/run.js'
import { buildApp, captureOutput, productionEnv, requestToken } from './helpers.js'

const ALL_SCOPES = 'agents:read agents:write tokens:read audit:read admin:orgs analytics:read billing:write compliance:read'

t.test('org create validates its arguments before touching anything: exit 2', async (t) => {
  const invalid = [
    ['org', 'create'],
    ['org', 'create', '--name', '   '],
    ['org', 'create', '--name', 'x'.repeat(129)],
    ['org', 'create', '--name', 'Acme', '--tier', 'platinum']
  ]
  for (const argv of invalid) {
    const output = captureOutput()
    // An unusable database: validation must come first.
    t.equal(await run(argv, output, { DATABASE_URL: 'postgres://127.0.0.1:1/none' }), 2, argv.join(' '))
    t.match(output.stderr(), /--(name|tier)/)
    t.equal(output.stdout(), '')
  }
})

t.test('org create --json prints the admin credentials once, and they work', async (t) => {
  const env = productionEnv()
  const output = captureOutput()
  t.equal(await run(['org', 'create', '--name', 'Acme', '--tier', 'pro', '--json'], output, env), 0, output.stderr())
  const created = JSON.parse(output.stdout()) as Record<string, string>
  t.same(Object.keys(created).sort(), ['agentId', 'clientId', 'clientSecret', 'organizationId'])
  t.equal(created.clientId, created.agentId)
  t.match(created.clientSecret, /^sk_live_/)

  const app = await buildApp(t, env)
  const token = await requestToken(app, created.clientId!, created.clientSecret!)
  t.equal(token.statusCode, 200)
  t.equal(token.scope, ALL_SCOPES, 'the admin holds every platform scope')
  t.match(await app.sentryagent.organizations.get(created.organizationId!), { name: 'Acme', tier: 'pro' })
})

t.test('org create without --json explains, and defaults to the free tier', async (t) => {
  const env = productionEnv()
  const output = captureOutput()
  t.equal(await run(['org', 'create', '--name', 'Plain'], output, env), 0, output.stderr())
  const text = output.stdout()
  const organizationId = /Organization created: (\S+) \(tier free\)/.exec(text)?.[1]
  const clientId = /Client ID: +(\S+)/.exec(text)?.[1]
  const clientSecret = /Client secret: +(\S+)/.exec(text)?.[1]
  t.ok(organizationId && clientId && clientSecret, text)
  t.match(text, 'shown only once')
  t.match(text, `client_id=${clientId}`, 'and how to get a token')

  const app = await buildApp(t, env)
  t.equal((await requestToken(app, clientId!, clientSecret!)).statusCode, 200)
  t.equal((await app.sentryagent.organizations.get(organizationId!)).tier, 'free')
})

t.test('production needs the signing keys: exit 1 with the reason', async (t) => {
  const { JWT_PRIVATE_KEY: _private, JWT_PUBLIC_KEY: _public, ...env } = productionEnv()
  const output = captureOutput()
  t.equal(await run(['org', 'create', '--name', 'Keyless'], output, env), 1)
  t.match(output.stderr(), 'JWT_PRIVATE_KEY and JWT_PUBLIC_KEY are required')
})
