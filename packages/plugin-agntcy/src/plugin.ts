import type { FastifyPluginAsync } from 'fastify'
import { ReportRepository } from './repository.js'
import { resolveOptions, type AgntcyOptions } from './options.js'
import { RegistryCardBuilder } from './card-builder.js'
import { CardSigner } from './card-signer.js'
import { CardService } from './card-service.js'
import { ComplianceReportService } from './report-service.js'
import { cardRoutes } from './routes/cards.js'
import { reportRoutes } from './routes/report.js'
import { MissingCoreError } from './errors.js'

// Enough to prove that the documents served match the batch checks, cheap at any agent count.
const DID_RESOLVE_SAMPLE = 5

/** AGNTCY on top of @sentryagent/core: A2A agent cards per agent and the live compliance report. */
export const agntcyPlugin: FastifyPluginAsync<AgntcyOptions> = async (fastify, rawOptions) => {
  const options = resolveOptions(rawOptions)
  if (!fastify.hasDecorator('sentryagent')) throw new MissingCoreError()
  const core = fastify.sentryagent
  const { publicUrl, prefix: apiPrefix } = core.options

  const builder = new RegistryCardBuilder({ publicUrl, apiPrefix, providerName: options.providerName, agentDid: (agentId) => core.dids.agentDid(agentId) })
  const signer = options.signCards ? new CardSigner(core.keys, `${publicUrl}/.well-known/jwks.json`) : undefined
  const cards = new CardService(core.agents, builder, signer, options.cardMaxAgeSeconds)
  const reports = new ComplianceReportService({
    agents: core.agents,
    repository: new ReportRepository(core.db),
    builder,
    dids: core.dids,
    audit: core.audit,
    tiers: core.tiers,
    grantTypes: () => [...core.grants.keys()],
    // The discovery documents as a client reads them, through the instance's own routes.
    fetch: async (path) => {
      const response = await fastify.inject({ method: 'GET', url: path })
      return { statusCode: response.statusCode, body: response.json<Record<string, unknown>>() }
    },
    clock: core.clock,
    metrics: core.metrics,
    settings: {
      publicUrl,
      apiPrefix,
      signingAlgorithm: core.keys.algorithm,
      signingKeyId: core.keys.keyId,
      signCards: options.signCards,
      signingKeyCreatedAt: options.signingKeyCreatedAt,
      signingKeyRotationDays: options.signingKeyRotationDays,
      credentialRotationDays: options.credentialRotationDays,
      auditRetentionDays: core.options.auditRetentionDays,
      didResolveSample: DID_RESOLVE_SAMPLE
    }
  })

  await fastify.register(cardRoutes, { cards })
  await fastify.register(reportRoutes, { reports })
}
