import { randomUUID } from 'node:crypto'
import type { Registry } from 'prom-client'
import { TIERS, counter, histogram, type Agent, type AuditLog, type Clock, type Principal, type TierDefinition } from '@sentryagent/core'
import type { CardBuilder } from './card-builder.js'
import type { ReportRepository, ActiveCredential } from './repository.js'
import type { ComplianceReport, Section, Status } from './report-schema.js'
import { RequirementFactory, worstOf } from './controls/requirement.js'
import { agentCardSection } from './controls/cards.js'
import { didSection, type DidResolver } from './controls/dids.js'
import { discoverySections, type DocumentFetcher } from './controls/discovery.js'
import { auditSection, credentialSection, delegationSection, federationSection } from './controls/governance.js'
import { ReportTierError } from './errors.js'

export const PROFILE = 'sentryagent-agntcy-profile/1'
const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'

/** Every standard the profile evaluates, pinned to the version checked. */
export const STANDARDS: Readonly<Record<string, string>> = Object.freeze({
  a2a: 'A2A protocol v1.0 AgentCard (JSON Schema v1.0.0, required fields from a2a.proto v1.0.1)',
  oasf: 'not evaluated: no OASF records are published by this instance',
  did_core: 'W3C DID Core 1.0 (Recommendation 2022-07-19), did:web method',
  rfc8414: 'RFC 8414 OAuth 2.0 Authorization Server Metadata',
  oidc_discovery: 'OpenID Connect Discovery 1.0 (incorporating errata set 2)',
  rfc7517: 'RFC 7517 JSON Web Key (Set)',
  rfc8785: 'RFC 8785 JSON Canonicalization Scheme (card signatures, RFC 7515 JWS)'
})

export const PDF_EXPORT_HINT = 'This endpoint answers JSON only (no ?format=pdf): to archive a report as PDF, render this JSON with a JSON-to-PDF tool of your choice.'

export interface ReportSettings {
  publicUrl: string
  apiPrefix: string
  signingAlgorithm: string
  signingKeyId: string
  signCards: boolean
  signingKeyCreatedAt: Date | undefined
  signingKeyRotationDays: number
  credentialRotationDays: number
  /** The instance's audit purge setting (null: kept forever). */
  auditRetentionDays: number | null
  /** Agents whose served DID document is resolved in full per report. */
  didResolveSample: number
}

export interface ReportDependencies {
  agents: { listCurrent(organizationId: string): Promise<Agent[]> }
  repository: Pick<ReportRepository, 'activeCredentials' | 'delegationStats'>
  builder: CardBuilder
  dids: DidResolver
  audit: Pick<AuditLog, 'verify' | 'record'>
  tiers: { definitionOf(organizationId: string): Promise<TierDefinition> }
  /** The token endpoint's grant types, read per report (plugins add theirs after this one). */
  grantTypes: () => string[]
  fetch: DocumentFetcher
  clock: Clock
  metrics: Registry
  settings: ReportSettings
}

/** Computes the compliance report from live state on every call; nothing is cached. */
export class ComplianceReportService {
  readonly #generated
  readonly #duration

  constructor (private readonly deps: ReportDependencies) {
    this.#generated = counter(deps.metrics, 'agntcy_compliance_reports_total', 'Compliance reports generated', ['overall_status'])
    this.#duration = histogram(deps.metrics, 'agntcy_compliance_report_duration_seconds', 'Time to compute one compliance report')
  }

  async generate (principal: Principal): Promise<ComplianceReport> {
    const { deps } = this
    const { organizationId } = principal
    // The tier map's feature flag is the one source of who may generate it.
    const definition = await deps.tiers.definitionOf(organizationId)
    const tier = definition.id
    if (!definition.features.agntcyComplianceReport) {
      const error = new ReportTierError(tier)
      Object.assign(error, { details: { tier, requiredTiers: TIERS.filter((t) => t.features.agntcyComplianceReport).map((t) => t.id) } })
      throw error
    }
    const stop = this.#duration.startTimer()
    const now = deps.clock.now()
    const requirements = new RequirementFactory(now.toISOString())
    const [agents, credentials, delegationStats, chain, discovery] = await Promise.all([
      deps.agents.listCurrent(organizationId),
      deps.repository.activeCredentials(organizationId),
      deps.repository.delegationStats(organizationId),
      deps.audit.verify(organizationId),
      discoverySections({ ...deps.settings, fetch: deps.fetch, grantTypes: deps.grantTypes(), now }, requirements)
    ])
    const sections: Section[] = [
      agentCardSection(agents, deps.builder, requirements),
      await didSection({ organizationId, agents, credentialsByAgent: byAgent(credentials), resolver: deps.dids, resolveSample: deps.settings.didResolveSample }, requirements),
      ...discovery,
      auditSection({ tier, tierRetentionDays: definition.limits.auditLogRetentionDays, instanceRetentionDays: deps.settings.auditRetentionDays, chain }, requirements),
      delegationSection({ enabled: deps.grantTypes().includes(TOKEN_EXCHANGE_GRANT), maxDepth: definition.limits.maxDelegationDepth, stats: delegationStats }, requirements),
      credentialSection(agents, credentials, deps.settings.credentialRotationDays, now, requirements),
      federationSection(requirements)
    ]
    const summary: Record<Status, number> = { pass: 0, warn: 0, fail: 0, not_applicable: 0 }
    for (const { requirements: list } of sections) for (const requirement of list) summary[requirement.status]++
    const overallStatus = worstOf(sections.map((entry) => entry.status))
    const report: ComplianceReport = {
      reportId: randomUUID(),
      generatedAt: now.toISOString(),
      tenantId: organizationId,
      agntcy_spec_version: PROFILE,
      standards: { ...STANDARDS },
      overallStatus,
      summary,
      sections,
      pdfExportHint: PDF_EXPORT_HINT
    }
    stop()
    this.#generated.inc({ overall_status: overallStatus })
    await deps.audit.record({ organizationId, agentId: principal.agentId, action: 'compliance.report_generated', details: { reportId: report.reportId, overallStatus, summary, agents: agents.length } })
    return report
  }
}

/** Credentials grouped per agent, newest first (the repository's order). */
function byAgent (credentials: readonly ActiveCredential[]): Map<string, ActiveCredential[]> {
  const grouped = new Map<string, ActiveCredential[]>()
  for (const credential of credentials) {
    const list = grouped.get(credential.agentId)
    if (list === undefined) grouped.set(credential.agentId, [credential])
    else list.push(credential)
  }
  return grouped
}
