import type { JwtAlgorithm } from '@sentryagent/core'

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
  dataDir: string
  jwtPrivateKey: string | undefined
  jwtPublicKey: string | undefined
  jwtAlgorithm: JwtAlgorithm
  publicUrl: string
  apiPrefix: string
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  rateLimitEnabled: boolean
  rateLimitPerMinute: number
  bodyLimitBytes: number
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

  const port = integer('PORT', 3000, 0, 65535)
  const host = text('HOST') ?? '127.0.0.1'
  const jwtPrivateKey = text('JWT_PRIVATE_KEY')?.replace(/\\n/g, '\n')
  const jwtPublicKey = text('JWT_PUBLIC_KEY')?.replace(/\\n/g, '\n')
  if ((jwtPrivateKey === undefined) !== (jwtPublicKey === undefined)) problems.push('JWT_PRIVATE_KEY and JWT_PUBLIC_KEY must be set together')
  const apiPrefix = text('API_PREFIX') ?? '/api/v1'
  if (!/^(\/[A-Za-z0-9._-]+)*$/.test(apiPrefix)) problems.push('API_PREFIX must look like /api/v1')
  // URLs are built as publicUrl + path, and the issuer is an origin: a path here would be lost or doubled.
  const publicUrl = url('PUBLIC_URL', ['http:', 'https:'])
  if (publicUrl !== undefined && new URL(publicUrl).pathname !== '/') problems.push('PUBLIC_URL must be an origin such as https://idp.example.com, without a path')
  const listenHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host

  const config: ServerConfig = {
    port,
    host,
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    dataDir: text('SENTRYAGENT_DATA_DIR') ?? '.sentryagent',
    jwtPrivateKey,
    jwtPublicKey,
    jwtAlgorithm: oneOf('JWT_ALGORITHM', ['ES256', 'RS256'] as const, 'ES256'),
    publicUrl: publicUrl === undefined ? `http://${listenHost}:${port}` : new URL(publicUrl).origin,
    apiPrefix,
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    rateLimitEnabled: flag('RATE_LIMIT_ENABLED'),
    rateLimitPerMinute: integer('RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    bodyLimitBytes: integer('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    features: {
      a2a: flag('A2A_ENABLED'),
      analytics: flag('ANALYTICS_ENABLED'),
      tierRateLimiting: flag('TIER_RATE_LIMITING_ENABLED'),
      scaffold: flag('SCAFFOLD_ENABLED'),
      agntcy: flag('AGNTCY_ENABLED')
    }
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return config
}
