import { Registry } from 'prom-client'
import { systemClock, type Clock } from './clock.js'
import type { Database } from './storage/database.js'
import type { KeyValueStore } from './storage/key-value-store.js'
import type { JwtAlgorithm, PemKeyPair } from './crypto/signing-keys.js'
import { InvalidOptionError } from './errors.js'
import { SEALING_KEY_BYTES } from './crypto/secret-box.js'

export interface CoreOptions {
  /** A `pg.Pool` (or anything with its `query`/`connect`). The caller owns and closes it. */
  database: Database
  /** Shared short-lived state: Redis in production, in-memory when embedded. The caller owns it. */
  store: KeyValueStore
  /** PEM key pair that signs access tokens. */
  signingKeys: PemKeyPair
  /**
   * Keys (base64, 32 bytes each) that seal credentials' signing keys at rest: the first seals, all
   * open, and what another one sealed is sealed again under the first (once ready, then every ten minutes).
   * `'jwt-derived'` stands for the key derived from `signingKeys`, which is the only key when this
   * is empty and is otherwise tried last. Replacing `signingKeys` loses what that key sealed.
   */
  sealingKeys?: readonly string[]
  jwtAlgorithm?: JwtAlgorithm
  /** The externally visible base URL: token issuer, did:web host, discovery URLs. */
  publicUrl?: string
  /** Prefix of the API routes; well-known documents stay at the root. */
  prefix?: string
  tokenTtlSeconds?: number
  usageFlushIntervalMs?: number
  verifiedTokenCacheSize?: number
  /** Audit events older than this many days are deleted (checked at start and every 6 hours); null keeps them all. */
  auditRetentionDays?: number | null
  /** Apply this package's migrations at registration (under an advisory lock). */
  migrate?: boolean
  /**
   * Send the hot queries as named prepared statements. Turn off when every connection
   * shares one backend session (PGlite behind @electric-sql/pglite-socket).
   */
  preparedStatements?: boolean
  /** How long an agent and its usable credentials stay in this instance's memory (changes invalidate it at once); 0 turns the cache off. */
  agentCacheTtlMs?: number
  metricsRegistry?: Registry
  clock?: Clock
}

export const DEFAULTS = {
  jwtAlgorithm: 'ES256' as JwtAlgorithm,
  sealingKeys: [] as readonly string[],
  publicUrl: 'http://127.0.0.1:3000',
  prefix: '/api/v1',
  tokenTtlSeconds: 3600,
  usageFlushIntervalMs: 60_000,
  verifiedTokenCacheSize: 10_000,
  auditRetentionDays: null as number | null,
  migrate: true,
  preparedStatements: true,
  agentCacheTtlMs: 10_000
}

/** In `sealingKeys`: the key derived from the token-signing key, the default. */
export const DERIVED_SEALING_KEY = 'jwt-derived'

/** A `sealingKeys` entry: 32 bytes in base64, or the derived key's name. */
export function isSealingKey (entry: string): boolean {
  return entry === DERIVED_SEALING_KEY || /^[A-Za-z0-9+/]{43}=$/.test(entry)
}

export type ResolvedCoreOptions = Required<CoreOptions>

export function resolveOptions (options: CoreOptions): ResolvedCoreOptions {
  if (options.database === undefined) throw new InvalidOptionError('database is required')
  if (options.store === undefined) throw new InvalidOptionError('store is required')
  if (options.signingKeys === undefined) throw new InvalidOptionError('signingKeys is required')
  const resolved: ResolvedCoreOptions = {
    ...DEFAULTS,
    metricsRegistry: new Registry(),
    clock: systemClock,
    ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as CoreOptions
  }
  if (!resolved.sealingKeys.every(isSealingKey)) {
    throw new InvalidOptionError(`sealingKeys must each be ${SEALING_KEY_BYTES} bytes in base64 (openssl rand -base64 ${SEALING_KEY_BYTES}) or '${DERIVED_SEALING_KEY}'`)
  }
  if (!['ES256', 'RS256'].includes(resolved.jwtAlgorithm)) throw new InvalidOptionError('jwtAlgorithm must be ES256 or RS256')
  if (!/^(\/[a-z0-9._-]+)*$/i.test(resolved.prefix)) throw new InvalidOptionError('prefix must look like /api/v1 (or be empty)')
  if (!Number.isInteger(resolved.tokenTtlSeconds) || resolved.tokenTtlSeconds < 60 || resolved.tokenTtlSeconds > 86_400) {
    throw new InvalidOptionError('tokenTtlSeconds must be an integer between 60 and 86400')
  }
  // setInterval turns anything above 2^31 - 1 ms into 1 ms.
  if (!Number.isInteger(resolved.usageFlushIntervalMs) || resolved.usageFlushIntervalMs < 100 || resolved.usageFlushIntervalMs > 2 ** 31 - 1) {
    throw new InvalidOptionError('usageFlushIntervalMs must be an integer between 100 and 2147483647')
  }
  if (!Number.isInteger(resolved.verifiedTokenCacheSize) || resolved.verifiedTokenCacheSize < 1) {
    throw new InvalidOptionError('verifiedTokenCacheSize must be a positive integer')
  }
  // The TTL only bounds staleness when a change broadcast is lost: keep that window short.
  if (!Number.isInteger(resolved.agentCacheTtlMs) || resolved.agentCacheTtlMs < 0 || resolved.agentCacheTtlMs > 30_000) {
    throw new InvalidOptionError('agentCacheTtlMs must be an integer between 0 and 30000')
  }
  if (resolved.auditRetentionDays !== null && (!Number.isInteger(resolved.auditRetentionDays) || resolved.auditRetentionDays < 1)) {
    throw new InvalidOptionError('auditRetentionDays must be a positive integer or null')
  }
  // Only http(s) URLs have an origin: any other scheme's is the string "null".
  const url = URL.canParse(resolved.publicUrl) ? new URL(resolved.publicUrl) : undefined
  if (url === undefined || !['http:', 'https:'].includes(url.protocol)) throw new InvalidOptionError('publicUrl must be an absolute http(s) URL')
  resolved.publicUrl = url.origin
  return resolved
}
