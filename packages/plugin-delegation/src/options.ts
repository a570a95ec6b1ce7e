import type { DelegationService } from './service.js'
import { InvalidOptionError } from './errors.js'

/** Reads a tenant's maximum chain depth (the tiers: 2 / 5 / 10). */
export interface DepthLimits { maxDepth(organizationId: string): Promise<number> }

export interface DelegationOptions {
  /** Apply migrations 008 and 012 at registration. */
  migrate?: boolean
  /** Live (unrevoked, unexpired) links one agent may have delegated at once. */
  maxLiveLinksPerDelegator?: number
  /** Lifetime cap of an access token obtained by token exchange, in seconds. */
  exchangedTokenTtlSeconds?: number
  /** In-process entries: delegation links and credentials' public keys (a verified token is kept with its link). */
  cacheSize?: number
  /** Send issuance's insert as a named prepared statement; defaults to core's option of that name. */
  preparedStatements?: boolean
  /** Where depth limits come from; defaults to core's tier directory. */
  depthLimits?: DepthLimits
  /** A prebuilt service (tests, embedders); the plugin builds one otherwise. */
  service?: DelegationService
}

export interface ResolvedDelegationOptions {
  migrate: boolean
  maxLiveLinksPerDelegator: number
  exchangedTokenTtlSeconds: number
  cacheSize: number
  preparedStatements?: boolean
  depthLimits?: DepthLimits
  service?: DelegationService
}

export const DEFAULTS = Object.freeze({
  migrate: true,
  maxLiveLinksPerDelegator: 1000,
  exchangedTokenTtlSeconds: 300,
  cacheSize: 50_000
})

function positiveInteger (name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new InvalidOptionError(`${name} must be a positive integer`)
  return value
}

export function resolveOptions (options: DelegationOptions): ResolvedDelegationOptions {
  const resolved: ResolvedDelegationOptions = { ...DEFAULTS, ...options }
  if (typeof resolved.migrate !== 'boolean') throw new InvalidOptionError('migrate must be a boolean')
  if (resolved.preparedStatements !== undefined && typeof resolved.preparedStatements !== 'boolean') throw new InvalidOptionError('preparedStatements must be a boolean')
  positiveInteger('maxLiveLinksPerDelegator', resolved.maxLiveLinksPerDelegator)
  positiveInteger('exchangedTokenTtlSeconds', resolved.exchangedTokenTtlSeconds)
  positiveInteger('cacheSize', resolved.cacheSize)
  return resolved
}
