import { fileURLToPath } from 'node:url'
import type { FastifyPluginAsync } from 'fastify'
import { UnauthorizedError, loadMigrations, runMigrations } from '@sentryagent/core'
import { resolveOptions, type DelegationOptions, type DepthLimits } from './options.js'
import { DelegationRepository } from './repository.js'
import { LinkDirectory } from './link-directory.js'
import { DelegationService } from './service.js'
import { TOKEN_EXCHANGE_GRANT, tokenExchangeGrant } from './token-exchange.js'
import { delegationRoutes } from './routes/delegations.js'
import { MissingCoreError } from './errors.js'

/** This package's migrations (008, 012). */
export const delegationMigrationsDirectory = fileURLToPath(new URL('../migrations', import.meta.url))

/**
 * A2A delegation on top of @sentryagent/core: routes under the host's prefix, the token
 * exchange grant on core's token endpoint, and a check that refuses exchanged tokens once
 * their chain is revoked.
 */
export const delegationPlugin: FastifyPluginAsync<DelegationOptions> = async (fastify, rawOptions) => {
  const options = resolveOptions(rawOptions)
  if (!fastify.hasDecorator('sentryagent')) throw new MissingCoreError()
  const core = fastify.sentryagent
  if (options.migrate) await runMigrations(core.db, await loadMigrations([delegationMigrationsDirectory]))

  const repository = new DelegationRepository(core.db, options.preparedStatements ?? core.options.preparedStatements)
  const links = new LinkDirectory(repository, core.credentials, core.store, options.cacheSize)
  await links.start()
  const depthLimits: DepthLimits = options.depthLimits ?? {
    maxDepth: async (organizationId) => (await core.tiers.definitionOf(organizationId)).limits.maxDelegationDepth
  }
  const service = options.service ?? new DelegationService({
    db: core.db,
    repository,
    links,
    agents: core.agents,
    depthLimits,
    clock: core.clock,
    audit: core.audit,
    usage: core.usage,
    metrics: core.metrics,
    maxLiveLinksPerDelegator: options.maxLiveLinksPerDelegator
  })

  core.credentials.onRevoked(async ({ organizationId, credentialId }) => service.credentialRevoked(organizationId, credentialId))
  // Only exchanged tokens carry delegation_id; every other token pays one property read.
  core.tokens.addAcceptanceCheck(async (principal) => {
    const delegationId = principal.claims.delegation_id
    if (typeof delegationId !== 'string') return
    if (!await service.chainIsLive(principal.organizationId, delegationId)) throw new UnauthorizedError('The delegation behind this token has been revoked')
  })
  core.grants.set(TOKEN_EXCHANGE_GRANT, tokenExchangeGrant({
    credentials: core.credentials,
    tokens: core.tokens,
    delegations: service,
    audit: core.audit,
    clock: core.clock,
    ttlSeconds: options.exchangedTokenTtlSeconds
  }))

  await fastify.register(delegationRoutes, { service })
}
