import t from 'tap'
import { PLATFORM_SCOPES } from '@sentryagent/core'
import { buildApp } from './helpers.js'

// Whole-line comments may cite a URL; only code can make the browser load one.
const withoutLineComments = (script: string): string => script.split('\n').filter((line) => !/^\s*\/\//.test(line)).join('\n')

t.test('/docs serves the explorer from this server\'s own assets (works offline)', async (t) => {
  const app = await buildApp(t)
  const page = await app.inject({ url: '/docs' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, '<div id="swagger-ui">')
  t.notMatch(page.body, /https?:\/\//, 'the page names no other host')

  const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!)
  t.ok(assets.some((asset) => asset.endsWith('.js')) && assets.some((asset) => asset.endsWith('.css')), `scripts and styles: ${assets.join(', ')}`)
  for (const asset of assets) {
    t.ok(asset.startsWith('/docs/'), `${asset} is a local path`)
    const response = await app.inject({ url: asset })
    t.equal(response.statusCode, 200, `${asset} is served here`)
  }

  const initializer = await app.inject({ url: '/docs/static/swagger-initializer.js' })
  t.equal(initializer.statusCode, 200)
  t.notMatch(withoutLineComments(initializer.body), /https?:\/\//, 'the initializer loads nothing from elsewhere')
  t.match(initializer.body, '"validatorUrl":null', 'no call to the public validator')
})

t.test('the explorer reads this server\'s spec, which offers the client-credentials flow', async (t) => {
  const app = await buildApp(t, { PUBLIC_URL: 'https://idp.example.com' })
  const response = await app.inject({ url: '/docs/json' })
  t.equal(response.statusCode, 200)
  const spec = response.json()
  t.same(spec.servers, [{ url: 'https://idp.example.com' }])
  const flow = spec.components.securitySchemes.clientCredentials
  t.equal(flow.type, 'oauth2')
  t.equal(flow.flows.clientCredentials.tokenUrl, 'https://idp.example.com/api/v1/token')
  t.same(Object.keys(flow.flows.clientCredentials.scopes).sort(), [...PLATFORM_SCOPES].sort())
})
