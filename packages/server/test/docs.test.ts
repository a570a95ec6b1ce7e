import t from 'tap'
import { PLATFORM_SCOPES } from '@sentryagent/core'
import { buildApp } from './helpers.js'

t.test('/docs serves the explorer from this server\'s own assets, under a policy that forbids other hosts', async (t) => {
  const app = await buildApp(t, { PUBLIC_URL: 'https://idp.example.com' })
  t.equal((await app.inject({ url: '/docs' })).headers.location, '/docs/')
  const page = await app.inject({ url: '/docs/' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, '<title>SentryAgent API</title>')

  const scripts = [...page.body.matchAll(/src="([^"]+)"/g)].map((match) => match[1]!)
  t.same(scripts, ['js/scalar.js'], 'one script, relative to /docs/')
  const script = await app.inject({ url: '/docs/js/scalar.js' })
  t.equal(script.statusCode, 200)
  t.match(script.headers['content-type'], /javascript/)

  const configuration = JSON.parse(/createApiReference\('#app', (\{[\s\S]*?\})\)\s*<\/script>/.exec(page.body)?.[1] ?? '{}') as Record<string, unknown>
  t.match(configuration, { url: '/openapi.json', telemetry: false, withDefaultFonts: false, agent: { disabled: true } }, `configuration: ${JSON.stringify(configuration)}`)
  t.notOk('proxyUrl' in configuration, 'no request proxy')

  const policy = page.headers['content-security-policy']
  t.match(policy, "default-src 'self'")
  t.match(policy, "font-src 'self' data:")
  t.match(policy, "connect-src 'self' https://idp.example.com", 'requests go to this server and its public URL only')
})

t.test('the explorer reads this server\'s spec, which offers the client-credentials flow', async (t) => {
  const app = await buildApp(t, { PUBLIC_URL: 'https://idp.example.com' })
  const response = await app.inject({ url: '/openapi.json' })
  t.equal(response.statusCode, 200)
  const spec = response.json()
  t.same(spec.servers, [{ url: 'https://idp.example.com' }])
  const flow = spec.components.securitySchemes.clientCredentials
  t.equal(flow.type, 'oauth2')
  t.equal(flow.flows.clientCredentials.tokenUrl, 'https://idp.example.com/api/v1/token')
  t.same(Object.keys(flow.flows.clientCredentials.scopes).sort(), [...PLATFORM_SCOPES].sort())
})
