import t from 'tap'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { PLATFORM_SCOPES, SigningKeys } from '../src/index.js'
import { buildApp } from './helpers.js'

t.test('/.well-known/jwks.json publishes the public signing key only', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())

  const response = await app.inject({ url: '/.well-known/jwks.json' })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['cache-control'], 'public, max-age=300')
  const { keys } = response.json<{ keys: JWK[] }>()
  t.equal(keys.length, 1)
  t.match(keys[0], { kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', x: String, y: String })
  t.notOk('d' in keys[0]!, 'no private part')
  const { kid, alg: _alg, use: _use, ...publicJwk } = keys[0]!
  t.equal(kid, await calculateJwkThumbprint(publicJwk), 'the kid is the RFC 7638 thumbprint')
  const again = await buildApp()
  t.teardown(() => again.close())
  t.equal((await again.inject({ url: '/.well-known/jwks.json' })).json().keys[0].kid, kid, 'stable across instances with the same key')
})

t.test('RFC 8414 and OpenID discovery documents describe the token endpoints', async (t) => {
  const app = await buildApp({ publicUrl: 'https://idp.example.test:8443/', prefix: '/api/v1' })
  t.teardown(() => app.close())
  const base = 'https://idp.example.test:8443'

  const oauth = await app.inject({ url: '/.well-known/oauth-authorization-server' })
  t.equal(oauth.statusCode, 200)
  t.equal(oauth.headers['cache-control'], 'public, max-age=300')
  t.match(oauth.json(), {
    issuer: base,
    token_endpoint: `${base}/api/v1/token`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    introspection_endpoint: `${base}/api/v1/token/introspect`,
    revocation_endpoint: `${base}/api/v1/token/revoke`,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: [...PLATFORM_SCOPES]
  })

  const oidc = await app.inject({ url: '/.well-known/openid-configuration' })
  t.equal(oidc.statusCode, 200)
  t.match(oidc.json(), { ...oauth.json(), subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['ES256'] })
  t.ok(oidc.json().claims_supported.includes('organization_id'))
})

t.test('discovery follows the prefix and the algorithm', async (t) => {
  const app = await buildApp({ prefix: '', jwtAlgorithm: 'RS256', signingKeys: SigningKeys.generatePem('RS256') })
  t.teardown(() => app.close())

  const oidc = (await app.inject({ url: '/.well-known/openid-configuration' })).json()
  t.equal(oidc.token_endpoint, 'http://127.0.0.1:3000/token')
  t.same(oidc.id_token_signing_alg_values_supported, ['RS256'])
  t.equal((await app.inject({ method: 'POST', url: '/token', payload: { grant_type: 'none' } })).json().error, 'unsupported_grant_type', 'the routes moved with the prefix')
  t.equal((await app.inject({ url: '/api/v1/agents' })).statusCode, 404)
})

t.test('/.well-known/did.json is the instance did:web document with the signing key', async (t) => {
  const app = await buildApp({ publicUrl: 'https://idp.example.test:8443' })
  t.teardown(() => app.close())
  const jwk = (await app.inject({ url: '/.well-known/jwks.json' })).json().keys[0]

  const response = await app.inject({ url: '/.well-known/did.json' })
  t.equal(response.statusCode, 200)
  const did = 'did:web:idp.example.test%3A8443'
  t.same(response.json(), {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
    id: did,
    verificationMethod: [{ id: `${did}#${jwk.kid}`, type: 'JsonWebKey2020', controller: did, publicKeyJwk: jwk }],
    authentication: [`${did}#${jwk.kid}`],
    assertionMethod: [`${did}#${jwk.kid}`]
  })
})
