import { isIP } from 'node:net'
import { DERIVED_SEALING_KEY, isSealingKey, type JwtAlgorithm } from '@sentryagent/core'

export interface FeatureFlags {
  a2a: boolean
  analytics: boolean
  tierRateLimiting: boolean
  scaffold: boolean
  agntcy: boolean
}

export interface ServerConfig {
  port: number
  host: string
  /** Unset: the embedded PostgreSQL (PGlite) under `dataDir`. */
  databaseUrl: string | undefined
  /** Unset: in-process adapters for what Redis does (a single instance). */
  redisUrl: string | undefined
  /** REDIS_CLUSTER: REDIS_URL lists seed nodes of a Redis Cluster; present only then. */
  redisClusterNodes?: string[]
  dataDir: string
  jwtPrivateKey: string | undefined
  jwtPublicKey: string | undefined
  jwtAlgorithm: JwtAlgorithm
  /** CREDENTIAL_SEALING_KEYS: base64 32-byte keys sealing credentials' signing keys, the first sealing; empty: derived from the JWT key. */
  credentialSealingKeys: string[]
  publicUrl: string
  apiPrefix: string
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  rateLimitEnabled: boolean
  rateLimitPerMinute: number
  bodyLimitBytes: number
  /** Exact origins a browser may call the API from (CORS); empty: CORS off. */
  corsOrigins: string[]
  /** Which proxies' X-Forwarded-For to believe for the client address (their addresses or CIDR ranges), or none. */
  trustProxy: false | string[]
  /** Tier limiter when its counters are unreachable: let requests through (open, the default) or answer 503 (closed). */
  rateLimitRedisFailure?: 'open' | 'closed'
  /** Where a limited tenant can upgrade (429 details); default: the API's /billing/upgrade. */
  upgradeUrl?: string
  /** Stripe for self-service upgrades (STRIPE_SECRET_KEY + STRIPE_WEBHOOK_SECRET); unset: billing answers 501. */
  stripe?: { secretKey: string, webhookSecret: string, apiUrl?: string }
  /** Where Stripe Checkout sends the buyer back. */
  billingSuccessUrl?: string
  billingCancelUrl?: string
  features: FeatureFlags
}

export class ConfigError extends Error {
  readonly code = 'SENTRYAGENT_SERVER_INVALID_CONFIG'
  constructor (readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`)
  }
}

type Env = Record<string, string | undefined>

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** The only reader of the environment: env → a validated, typed object, or every problem at once. */
export function readConfig (env: Env = process.env): ServerConfig {
  const problems: string[] = []
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim()
    return value === undefined || value === '' ? undefined : value
  }
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name)
    if (raw === undefined) return fallback
    const value = Number(raw)
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`)
      return fallback
    }
    return value
  }
  const flag = (name: string, fallback = true): boolean => {
    const raw = text(name)?.toLowerCase()
    if (raw === undefined) return fallback
    if (raw === 'true' || raw === '1') return true
    if (raw === 'false' || raw === '0') return false
    problems.push(`${name} must be true or false (got "${raw}")`)
    return fallback
  }
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = text(name)
    if (raw === undefined) return fallback
    if ((allowed as readonly string[]).includes(raw)) return raw as T
    problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`)
    return fallback
  }
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = text(name)
    if (raw === undefined) return undefined
    if (URL.canParse(raw) && protocols.includes(new URL(raw).protocol)) return raw
    problems.push(`${name} must be a ${protocols.join(' or ')} URL`)
    return undefined
  }

  const commaList = (name: string): string[] => (text(name) ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '')

  // Compared exactly with the Origin header, so each must be written as browsers send it.
  const origins = (name: string): string[] => {
    const listed = commaList(name)
    for (const entry of listed) {
      if (!URL.canParse(entry) || !['http:', 'https:'].includes(new URL(entry).protocol) || new URL(entry).origin !== entry) {
        problems.push(`${name} must list origins such as https://app.example.com, comma-separated (got "${entry}")`)
      }
    }
    return listed
  }

  // Only the balancer may say who the client is: trusting any hop (`true`, or a hop count, which
  // Fastify ignores) would let a client pick its own address.
  const PROXY_PRESETS = ['loopback', 'linklocal', 'uniquelocal']
  const proxies = (name: string): false | string[] => {
    const raw = text(name)
    if (raw === undefined || raw === 'false') return false
    const listed = commaList(name)
    for (const entry of listed) {
      const [address, prefix, ...rest] = entry.split('/')
      const version = isIP(address!)
      const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128))
      if (!PROXY_PRESETS.includes(entry) && (version === 0 || !prefixOk || rest.length > 0)) {
        problems.push(`${name} must list the balancer's addresses, CIDR ranges or ${PROXY_PRESETS.join('/')}, comma-separated (got "${entry}")`)
      }
    }
    return listed.length === 0 ? false : listed
  }

  // Seed nodes only: the client learns the others from the cluster. Credentials and TLS go to
  // every node it discovers, so the seeds must agree on them; a cluster has database 0 only.
  const clusterNodes = (name: string): string[] => {
    const listed = commaList(name)
    if (listed.length === 0) problems.push(`REDIS_CLUSTER needs ${name}: the cluster's seed nodes, comma-separated`)
    const nodes = listed.map((entry) => URL.canParse(entry) ? new URL(entry) : undefined)
    const access = (node: URL | undefined): string => `${node?.protocol}//${node?.username}:${node?.password}@`
    // Named by position: an entry may hold a password.
    nodes.forEach((node, index) => {
      if (node === undefined || !['redis:', 'rediss:'].includes(node.protocol) || !['', '/', '/0'].includes(node.pathname)) {
        problems.push(`${name} must list redis:// or rediss:// nodes without a database other than 0, comma-separated (node ${index + 1} is not one)`)
      } else if (access(node) !== access(nodes[0])) {
        problems.push(`${name}'s nodes must share one scheme and credentials (node ${index + 1} differs from the first)`)
      }
    })
    return listed
  }

  const port = integer('PORT', 3000, 0, 65535)
  const host = text('HOST') ?? '127.0.0.1'
  const jwtPrivateKey = text('JWT_PRIVATE_KEY')?.replace(/\\n/g, '\n')
  const jwtPublicKey = text('JWT_PUBLIC_KEY')?.replace(/\\n/g, '\n')
  if ((jwtPrivateKey === undefined) !== (jwtPublicKey === undefined)) problems.push('JWT_PRIVATE_KEY and JWT_PUBLIC_KEY must be set together')
  const credentialSealingKeys = (text('CREDENTIAL_SEALING_KEYS') ?? '').split(',').map((key) => key.trim()).filter((key) => key !== '')
  // The values are secrets: the problem names the variable, never what it holds.
  if (!credentialSealingKeys.every(isSealingKey)) {
    problems.push(`CREDENTIAL_SEALING_KEYS must list keys of 32 bytes in base64 (openssl rand -base64 32) or ${DERIVED_SEALING_KEY}, comma-separated`)
  }
  const apiPrefix = text('API_PREFIX') ?? '/api/v1'
  if (!/^(\/[A-Za-z0-9._-]+)*$/.test(apiPrefix)) problems.push('API_PREFIX must look like /api/v1')
  // URLs are built as publicUrl + path, and the issuer is an origin: a path here would be lost or doubled.
  const publicUrl = url('PUBLIC_URL', ['http:', 'https:'])
  if (publicUrl !== undefined && new URL(publicUrl).pathname !== '/') problems.push('PUBLIC_URL must be an origin such as https://idp.example.com, without a path')
  const listenHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host

  const redisCluster = flag('REDIS_CLUSTER', false)

  const config: ServerConfig = {
    port,
    host,
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: redisCluster ? text('REDIS_URL') : url('REDIS_URL', ['redis:', 'rediss:']),
    dataDir: text('SENTRYAGENT_DATA_DIR') ?? '.sentryagent',
    jwtPrivateKey,
    jwtPublicKey,
    jwtAlgorithm: oneOf('JWT_ALGORITHM', ['ES256', 'RS256'] as const, 'ES256'),
    credentialSealingKeys,
    publicUrl: publicUrl === undefined ? `http://${listenHost}:${port}` : new URL(publicUrl).origin,
    apiPrefix,
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    rateLimitEnabled: flag('RATE_LIMIT_ENABLED'),
    rateLimitPerMinute: integer('RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    bodyLimitBytes: integer('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    corsOrigins: origins('CORS_ORIGINS'),
    trustProxy: proxies('TRUST_PROXY'),
    features: {
      a2a: flag('A2A_ENABLED'),
      analytics: flag('ANALYTICS_ENABLED'),
      tierRateLimiting: flag('TIER_RATE_LIMITING_ENABLED'),
      scaffold: flag('SCAFFOLD_ENABLED'),
      agntcy: flag('AGNTCY_ENABLED')
    }
  }
  if (redisCluster) config.redisClusterNodes = clusterNodes('REDIS_URL')
  // Present only when set, so that the defaults stay the tiers plugin's.
  const rateLimitRedisFailure = text('RATE_LIMIT_REDIS_FAILURE') === undefined ? undefined : oneOf('RATE_LIMIT_REDIS_FAILURE', ['open', 'closed'] as const, 'open')
  if (rateLimitRedisFailure !== undefined) config.rateLimitRedisFailure = rateLimitRedisFailure
  const upgradeUrl = url('UPGRADE_URL', ['http:', 'https:'])
  if (upgradeUrl !== undefined) config.upgradeUrl = upgradeUrl
  const stripeSecretKey = text('STRIPE_SECRET_KEY')
  const stripeWebhookSecret = text('STRIPE_WEBHOOK_SECRET')
  const stripeApiUrl = url('STRIPE_API_URL', ['http:', 'https:'])
  if ((stripeSecretKey === undefined) !== (stripeWebhookSecret === undefined)) problems.push('STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set together')
  if (stripeSecretKey !== undefined && stripeWebhookSecret !== undefined) {
    config.stripe = { secretKey: stripeSecretKey, webhookSecret: stripeWebhookSecret, ...(stripeApiUrl === undefined ? {} : { apiUrl: stripeApiUrl }) }
  }
  const billingSuccessUrl = url('BILLING_SUCCESS_URL', ['http:', 'https:'])
  if (billingSuccessUrl !== undefined) config.billingSuccessUrl = billingSuccessUrl
  const billingCancelUrl = url('BILLING_CANCEL_URL', ['http:', 'https:'])
  if (billingCancelUrl !== undefined) config.billingCancelUrl = billingCancelUrl
  if (problems.length > 0) throw new ConfigError(problems)
  return config
}
