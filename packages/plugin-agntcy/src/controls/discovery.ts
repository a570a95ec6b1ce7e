import type { Section } from '../report-schema.js'
import { section, type RequirementFactory } from './requirement.js'

/** Reads a document this instance serves, as a client would (in process). */
export type DocumentFetcher = (path: string) => Promise<{ statusCode: number, body: Record<string, unknown> }>

export interface DiscoveryInput {
  fetch: DocumentFetcher
  publicUrl: string
  apiPrefix: string
  /** The grant types the token endpoint dispatches on: what it really does. */
  grantTypes: readonly string[]
  signingAlgorithm: string
  signingKeyId: string
  signCards: boolean
  signingKeyCreatedAt: Date | undefined
  signingKeyRotationDays: number
  now: Date
}

// RFC 8414 §2 REQUIRED fields (token_endpoint: required as the server supports more than the implicit grant).
const RFC8414_REQUIRED = ['issuer', 'response_types_supported', 'token_endpoint'] as const
const DAY_MS = 86_400_000

const sameSet = (a: unknown, b: readonly string[]): boolean =>
  Array.isArray(a) && a.length === b.length && b.every((value) => a.includes(value))

/** RFC 8414 metadata, OIDC discovery and the JWKS, compared with what the token endpoint and signer really use. */
export async function discoverySections (input: DiscoveryInput, requirements: RequirementFactory): Promise<Section[]> {
  const [metadata, oidc, jwks] = await Promise.all([
    input.fetch('/.well-known/oauth-authorization-server'),
    input.fetch('/.well-known/openid-configuration'),
    input.fetch('/.well-known/jwks.json')
  ])
  const tokenEndpoint = `${input.publicUrl}${input.apiPrefix}/token`
  const jwksUri = `${input.publicUrl}/.well-known/jwks.json`
  const m = metadata.body

  const missing = RFC8414_REQUIRED.filter((field) => m[field] === undefined)
  const metadataProblems = [
    ...(metadata.statusCode === 200 ? [] : [`served with status ${metadata.statusCode}`]),
    ...missing.map((field) => `missing required field ${field}`),
    ...(m.issuer === input.publicUrl ? [] : [`issuer ${String(m.issuer)} is not this instance's URL ${input.publicUrl}`]),
    ...(m.token_endpoint === tokenEndpoint ? [] : [`token_endpoint ${String(m.token_endpoint)} is not the live token endpoint ${tokenEndpoint}`]),
    ...(m.jwks_uri === jwksUri ? [] : [`jwks_uri ${String(m.jwks_uri)} is not ${jwksUri}`])
  ]
  const grantsMatch = sameSet(m.grant_types_supported, input.grantTypes)
  const oidcMismatches = ['issuer', 'token_endpoint', 'jwks_uri', 'grant_types_supported']
    .filter((field) => JSON.stringify(oidc.body[field]) !== JSON.stringify(m[field]))
  const algorithms = oidc.body.id_token_signing_alg_values_supported
  const httpsIssuer = input.publicUrl.startsWith('https://')

  const oauth = section('oauth-metadata', 'OAuth 2.0 / OpenID Connect metadata', [
    requirements.make('oauth.rfc8414', 'RFC 8414 authorization server metadata is served, complete and points at the live endpoints', metadataProblems.length === 0 ? 'pass' : 'fail',
      { url: `${input.publicUrl}/.well-known/oauth-authorization-server`, issuer: m.issuer, tokenEndpoint: m.token_endpoint, problems: metadataProblems },
      'Set PUBLIC_URL to the URL clients reach this instance at, so that the metadata names the live endpoints'),
    requirements.make('oauth.grants', 'grant_types_supported lists exactly the grants the token endpoint accepts', grantsMatch && input.grantTypes.includes('client_credentials') ? 'pass' : 'fail',
      { advertised: m.grant_types_supported, accepted: input.grantTypes },
      'Restart the instance after enabling or disabling a grant (the metadata is built from the token endpoint\'s grants)'),
    requirements.make('oauth.oidc', 'OpenID Connect discovery agrees with the RFC 8414 metadata and the signing algorithm', oidc.statusCode === 200 && oidcMismatches.length === 0 && sameSet(algorithms, [input.signingAlgorithm]) ? 'pass' : 'fail',
      { mismatchedFields: oidcMismatches, idTokenSigningAlgorithms: algorithms, signingAlgorithm: input.signingAlgorithm },
      'The discovery documents disagree: serve both from the same configuration'),
    requirements.make('oauth.tls', 'The issuer is an https URL (RFC 8414 §2, A2A oauth2MetadataUrl: TLS required)', httpsIssuer ? 'pass' : 'warn',
      { issuer: input.publicUrl }, 'Serve the instance behind TLS and set PUBLIC_URL to its https URL')
  ])

  const keys = Array.isArray(jwks.body.keys) ? jwks.body.keys as Array<Record<string, unknown>> : []
  const signingKey = keys.find((key) => key.kid === input.signingKeyId)
  const privateParts = keys.filter((key) => ['d', 'p', 'q', 'dp', 'dq', 'qi'].some((part) => part in key)).map((key) => key.kid)
  const ageDays = input.signingKeyCreatedAt === undefined ? null : Math.floor((input.now.getTime() - input.signingKeyCreatedAt.getTime()) / DAY_MS)
  const rotation = ageDays === null ? 'warn' : ageDays > input.signingKeyRotationDays ? 'warn' : 'pass'

  const jwksSection = section('jwks', 'JSON Web Key Set', [
    requirements.make('jwks.keys', 'The JWKS publishes the current signing key (kid, alg, use) and no private key material', signingKey !== undefined && signingKey.alg === input.signingAlgorithm && signingKey.use === 'sig' && privateParts.length === 0 ? 'pass' : 'fail',
      { url: jwksUri, keys: keys.map((key) => ({ kid: key.kid, kty: key.kty, alg: key.alg, use: key.use })), signingKeyId: input.signingKeyId, keysWithPrivateParts: privateParts },
      'Serve the public half of the signing key (JWT_PUBLIC_KEY) and nothing else'),
    requirements.make('jwks.rotation', `The signing key is younger than ${input.signingKeyRotationDays} days`, rotation,
      { signingKeyId: input.signingKeyId, createdAt: input.signingKeyCreatedAt?.toISOString() ?? null, ageDays, thresholdDays: input.signingKeyRotationDays },
      ageDays === null ? 'The key\'s creation date is not recorded: pass signingKeyCreatedAt to the plugin so its age can be checked' : 'Rotate the token-signing key (JWT_PRIVATE_KEY / JWT_PUBLIC_KEY)'),
    requirements.make('jwks.card-signatures', 'Agent cards carry a JWS signature verifiable with this JWKS', input.signCards && signingKey !== undefined ? 'pass' : 'warn',
      { signCards: input.signCards, keyId: input.signingKeyId },
      'Enable card signing (signCards: true) so that clients can verify cards against the JWKS')
  ])
  return [oauth, jwksSection]
}
