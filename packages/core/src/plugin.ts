import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { Registry } from 'prom-client'
import { DERIVED_SEALING_KEY, resolveOptions, type CoreOptions, type ResolvedCoreOptions } from './options.js'
import type { Clock } from './clock.js'
import type { Database } from './storage/database.js'
import type { KeyValueStore } from './storage/key-value-store.js'
import { SigningKeys } from './crypto/signing-keys.js'
import { SecretBox } from './crypto/secret-box.js'
import { CredentialKeys } from './crypto/credential-keys.js'
import { coreMigrationsDirectory, loadMigrations, runMigrations } from './migrations/migration-runner.js'
import { AgentRepository } from './repositories/agent-repository.js'
import { AuditRepository } from './repositories/audit-repository.js'
import { CredentialRepository } from './repositories/credential-repository.js'
import { OrganizationRepository } from './repositories/organization-repository.js'
import { RevokedTokenRepository } from './repositories/revoked-token-repository.js'
import { UsageRepository } from './repositories/usage-repository.js'
import { AdminGuard } from './services/admin-guard.js'
import { AgentService } from './services/agent-service.js'
import { AgentCache } from './services/agent-cache.js'
import { ChainedAuditLog, type AuditLog } from './services/audit-log.js'
import { CredentialService } from './services/credential-service.js'
import { DidDocuments } from './services/did-documents.js'
import { SealedKeyUpkeep } from './services/sealed-key-upkeep.js'
import { OrganizationService } from './services/organization-service.js'
import { TokenRevocations } from './services/token-revocations.js'
import { TierDirectory } from './services/tier-directory.js'
import { TokenService } from './services/token-service.js'
import { UsageCounter, type UsageRecorder } from './services/usage-counter.js'
import type { TokenRequest, TokenResponse } from './schemas/token.js'
import type { Principal } from './auth/principal.js'
import { createAuthHook } from './auth/auth-hook.js'
import { sentryErrorHandler } from './error-handler.js'
import { agentRoutes } from './routes/agents.js'
import { credentialRoutes } from './routes/credentials.js'
import { auditRoutes } from './routes/audit.js'
import { tokenRoutes } from './routes/token.js'
import { didRoutes, wellKnownRoutes } from './routes/well-known.js'

/** Answers a token request for one `grant_type`; plugins add grants (token exchange). */
export type GrantHandler = (request: FastifyRequest, body: TokenRequest) => Promise<TokenResponse>

/** What the core plugin shares with the host and the workstream plugins. */
export interface SentryAgentCore {
  options: ResolvedCoreOptions
  db: Database
  store: KeyValueStore
  clock: Clock
  metrics: Registry
  keys: SigningKeys
  credentialKeys: CredentialKeys
  organizations: OrganizationService
  agents: AgentService
  credentials: CredentialService
  tokens: TokenService
  revocations: TokenRevocations
  audit: AuditLog
  usage: UsageRecorder
  dids: DidDocuments
  tiers: TierDirectory
  grants: Map<string, GrantHandler>
}

declare module 'fastify' {
  interface FastifyInstance {
    sentryagent: SentryAgentCore
  }
  interface FastifyRequest {
    principal: Principal | null
  }
  interface FastifyContextConfig {
    /** Scopes the bearer token must all hold; routes without it are public. */
    scopes?: readonly string[]
  }
}

export const corePlugin: FastifyPluginAsync<CoreOptions> = async (fastify, rawOptions) => {
  const options = resolveOptions(rawOptions)
  const { database: db, store, clock, metricsRegistry: metrics } = options
  if (options.migrate) await runMigrations(db, await loadMigrations([coreMigrationsDirectory]))

  const keys = await SigningKeys.fromPem(options.signingKeys, options.jwtAlgorithm)
  const credentialKeys = new CredentialKeys(new SecretBox(sealingKeyRing(options.sealingKeys, keys)))
  const agentRepository = new AgentRepository(db, options.preparedStatements)
  const agentCache = new AgentCache(agentRepository, store, options.agentCacheTtlMs)
  await agentCache.start()
  const credentialRepository = new CredentialRepository(db)
  const audit = new ChainedAuditLog(new AuditRepository(db, options.preparedStatements), clock, metrics)
  const usage = new UsageCounter(new UsageRepository(db), clock, metrics)
  const revocations = new TokenRevocations(store, new RevokedTokenRepository(db), agentRepository, clock, options.tokenTtlSeconds)
  const admins = new AdminGuard(db, agentRepository, clock)
  const credentials = new CredentialService(db, credentialRepository, agentRepository, agentCache, credentialKeys, admins, audit, usage, clock, metrics)
  const tokens = new TokenService(keys, credentials, revocations, audit, usage, clock,
    { issuer: options.publicUrl, ttlSeconds: options.tokenTtlSeconds, verifiedCacheSize: options.verifiedTokenCacheSize }, metrics)
  await revocations.restore()
  const organizationRepository = new OrganizationRepository(db)
  const tiers = new TierDirectory(store, organizationRepository)
  await tiers.start()

  const core: SentryAgentCore = {
    options,
    db,
    store,
    clock,
    metrics,
    keys,
    credentialKeys,
    organizations: new OrganizationService(db, organizationRepository, agentRepository, credentials, audit, tiers),
    agents: new AgentService(agentRepository, audit, revocations, agentCache, admins, metrics),
    credentials,
    tokens,
    revocations,
    audit,
    usage,
    dids: new DidDocuments(options.publicUrl, options.prefix, keys, agentRepository, credentialRepository),
    tiers,
    grants: new Map()
  }
  fastify.decorate('sentryagent', core)
  fastify.decorateRequest('principal', null)
  // Only routes declaring scopes run it (public ones pay nothing), first among their own
  // onRequest hooks: a rate limiter attached the same way then sees the principal.
  const authenticate = createAuthHook(tokens, audit, usage)
  fastify.addHook('onRoute', (route) => {
    if (route.config?.scopes === undefined) return
    route.onRequest = [authenticate, ...[route.onRequest ?? []].flat()]
  })

  const flushTimer = setInterval(() => {
    usage.flush().catch((error: unknown) => { fastify.log.warn({ err: error }, 'usage flush failed; counts kept for the next one') })
  }, options.usageFlushIntervalMs)
  flushTimer.unref()
  const retentionTimer = options.auditRetentionDays === null ? undefined : scheduleAuditRetention(fastify, audit, options.auditRetentionDays)
  // With the default key alone there is nothing to seal again.
  if (options.sealingKeys.length > 0) scheduleSealedKeyUpkeep(fastify, new SealedKeyUpkeep(credentialRepository, credentialKeys, metrics))
  fastify.addHook('onClose', async () => {
    clearInterval(flushTimer)
    clearInterval(retentionTimer)
    await audit.flush()
    await usage.flush()
  })

  // Route sets stay encapsulated: the error handler and form parser don't leak into the host.
  await fastify.register(async (routes) => {
    routes.setErrorHandler(sentryErrorHandler)
    await routes.register(wellKnownRoutes)
    await routes.register(async (api) => {
      await api.register(agentRoutes)
      await api.register(credentialRoutes)
      await api.register(didRoutes)
      await api.register(auditRoutes)
      await api.register(tokenRoutes)
    }, { prefix: options.prefix })
  })
}

const RETENTION_SWEEP_MS = 6 * 60 * 60 * 1000

/** Deletes expired audit events once the app is ready, then every six hours. */
function scheduleAuditRetention (fastify: FastifyInstance, audit: AuditLog, days: number): NodeJS.Timeout {
  const sweep = (): void => {
    audit.purgeOlderThan(days).then(
      (deleted) => { if (deleted > 0) fastify.log.info({ deleted, days }, 'audit retention: old events deleted') },
      (error: unknown) => { fastify.log.warn({ err: error }, 'audit retention sweep failed; retried at the next one') })
  }
  fastify.addHook('onReady', async () => { sweep() })
  const timer = setInterval(sweep, RETENTION_SWEEP_MS)
  timer.unref()
  return timer
}

const UPKEEP_INTERVAL_MS = 10 * 60 * 1000

/**
 * Seals again what an older sealing key sealed, once the app is ready and every ten minutes:
 * instances still on the previous key list may go on sealing under it during a rollout.
 */
function scheduleSealedKeyUpkeep (fastify: FastifyInstance, upkeep: SealedKeyUpkeep): void {
  let running: Promise<void> | undefined
  const check = (): void => {
    running ??= upkeep.run().then(({ resealed, unreadable }) => {
      if (resealed > 0) fastify.log.info({ resealed }, 'credential signing keys sealed again under the current sealing key')
      if (unreadable > 0) fastify.log.error({ unreadable }, 'no sealing key of this instance opens some credentials\' signing keys: they can\'t sign delegations')
    }, (error: unknown) => { fastify.log.warn({ err: error }, 'sealing key upkeep failed; retried at the next check') })
      .finally(() => { running = undefined })
  }
  fastify.addHook('onReady', async () => { check() })
  const timer = setInterval(check, UPKEEP_INTERVAL_MS)
  timer.unref()
  fastify.addHook('onClose', async () => {
    clearInterval(timer)
    upkeep.stop()
    await running
  })
}

/** The configured sealing keys; the derived one, unless placed among them, is tried last: it opens what was sealed before any was configured. */
function sealingKeyRing (configured: readonly string[], keys: SigningKeys): Buffer[] {
  const derived = keys.deriveSealingKey('credential-signing-keys')
  const ring = configured.map((entry) => entry === DERIVED_SEALING_KEY ? derived : Buffer.from(entry, 'base64'))
  return configured.includes(DERIVED_SEALING_KEY) ? ring : [...ring, derived]
}
