import t from 'tap'
import type { Agent } from '@sentryagent/core'
import { ComplianceReportService, PROFILE, RegistryCardBuilder, ReportRepository, type CardBuilder, type ComplianceReport, type Requirement } from '../src/index.js'
import { CARD_FIELDS, PREFIX, PUBLIC_URL, buildApp, createAgent, getReport, session } from './helpers.js'

const requirement = (report: ComplianceReport, id: string): Requirement | undefined =>
  report.sections.flatMap((section) => section.requirements).find((entry) => entry.id === id)

t.test('the report: profile, pinned standards, every section, evidence from live state, never cached', async (t) => {
  const app = await buildApp(t)
  const admin = await session(app, 'enterprise')
  const complete = await createAgent(app, admin)
  const response = await getReport(app, admin)
  t.equal(response.statusCode, 200)
  t.equal(response.headers['cache-control'], 'no-store')
  const report = response.json<ComplianceReport>()
  t.equal(report.agntcy_spec_version, PROFILE)
  t.equal(report.tenantId, admin.organizationId)
  t.match(report.standards, { a2a: /v1\.0/, did_core: /DID Core 1\.0/, rfc8414: /RFC 8414/, oasf: /not evaluated/ })
  t.same(report.sections.map((section) => section.id), ['agent-cards', 'dids', 'oauth-metadata', 'jwks', 'audit', 'delegation', 'credentials', 'federation'])
  const counted = report.sections.flatMap((section) => section.requirements).length
  t.equal(report.summary.pass + report.summary.warn + report.summary.fail + report.summary.not_applicable, counted)
  t.type(report.pdfExportHint, 'string')

  t.equal(requirement(report, `agent-card.${complete}`)?.status, 'pass')
  t.equal(requirement(report, `did.${complete}`)?.status, 'pass')
  t.match(requirement(report, `did.${complete}`)?.evidence, { did: app.sentryagent.dids.agentDid(complete), documentResolved: true })
  // The admin agent (created with the organization) has no card fields: a fail that says what to set.
  const adminCard = requirement(report, `agent-card.${admin.agentId}`)!
  t.equal(adminCard.status, 'fail')
  t.match(adminCard.remediation, /PATCH/)
  t.equal(report.overallStatus, 'fail')
  t.equal(requirement(report, 'oauth.rfc8414')?.status, 'pass')
  t.equal(requirement(report, 'oauth.grants')?.status, 'pass')
  t.equal(requirement(report, 'oauth.oidc')?.status, 'pass')
  t.equal(requirement(report, 'oauth.tls')?.status, 'pass')
  t.equal(requirement(report, 'jwks.keys')?.status, 'pass')
  t.equal(requirement(report, 'jwks.rotation')?.status, 'warn', 'the key\'s age is unknown without signingKeyCreatedAt')
  t.equal(requirement(report, 'jwks.card-signatures')?.status, 'pass')
  t.equal(requirement(report, 'audit.retention')?.status, 'pass', 'enterprise keeps 365 days')
  t.equal(requirement(report, 'audit.chain')?.status, 'pass')
  t.equal(requirement(report, 'delegation.enabled')?.status, 'not_applicable', 'no delegation workstream here')
  t.equal(requirement(report, 'credentials.rotation')?.status, 'pass')
  t.equal(requirement(report, 'federation.policies')?.status, 'not_applicable')
  t.ok(report.sections.flatMap((section) => section.requirements).every((entry) => entry.verifiedAt === report.generatedAt))

  const again = (await getReport(app, admin)).json<ComplianceReport>()
  t.not(again.reportId, report.reportId, 'computed on every call')

  const audit = await app.inject({ method: 'GET', url: `${PREFIX}/audit?action=compliance.report_generated`, headers: { authorization: admin.authorization } })
  t.ok(audit.json<{ data: Array<{ details: { reportId: string } }> }>().data.some((event) => event.details.reportId === report.reportId), 'audited')
  const metrics = await app.sentryagent.metrics.getSingleMetricAsString('agentidp_agntcy_compliance_reports_total')
  t.match(metrics, /overall_status="fail"} 2/)
})

t.test('negative: a card missing skills, an agent with no endpoint → fail with remediation', async (t) => {
  const app = await buildApp(t)
  const admin = await session(app, 'pro')
  const noSkills = await createAgent(app, admin, { ...CARD_FIELDS, skills: [] })
  const { a2aEndpointUrl: _endpoint, ...withoutEndpoint } = CARD_FIELDS
  const noEndpoint = await createAgent(app, admin, withoutEndpoint, false)
  const report = (await getReport(app, admin)).json<ComplianceReport>()
  const skills = requirement(report, `agent-card.${noSkills}`)!
  t.equal(skills.status, 'fail')
  t.match(skills.evidence, { problems: [{ field: 'skills' }] })
  t.match(skills.remediation, /skills/)
  const endpoint = requirement(report, `agent-card.${noEndpoint}`)!
  t.equal(endpoint.status, 'fail')
  t.match(endpoint.evidence, { problems: [{ field: 'a2aEndpointUrl' }] })
  t.match(endpoint.remediation, /a2aEndpointUrl/)
  const did = requirement(report, `did.${noEndpoint}`)!
  t.equal(did.status, 'fail', 'no credential: no key in the DID document')
  t.match(did.remediation, /credential/)
  t.equal(requirement(report, 'credentials.coverage')?.status, 'warn')
  t.equal(requirement(report, 'audit.retention')?.status, 'warn', 'pro keeps 90 days')
})

t.test('negative: a card with a top-level extra field, or without skills, fails schema validation in the report', async (t) => {
  const app = await buildApp(t)
  const admin = await session(app)
  const agentId = await createAgent(app, admin)
  const core = app.sentryagent
  const registry = new RegistryCardBuilder({ publicUrl: PUBLIC_URL, apiPrefix: PREFIX, providerName: 'Test', agentDid: (id) => core.dids.agentDid(id) })
  const broken: CardBuilder = {
    build: (agent: Agent) => {
      const built = registry.build(agent)
      if (built.card === undefined) return built
      const { skills: _skills, ...card } = built.card
      return { card: (agent.agentId === agentId ? { ...built.card, did: 'did:web:top-level' } : card) as typeof built.card }
    }
  }
  const reports = new ComplianceReportService({
    agents: core.agents,
    repository: new ReportRepository(core.db),
    builder: broken,
    dids: core.dids,
    audit: core.audit,
    tiers: core.tiers,
    grantTypes: () => [...core.grants.keys()],
    fetch: async (path) => { const response = await app.inject({ method: 'GET', url: path }); return { statusCode: response.statusCode, body: response.json() } },
    clock: core.clock,
    metrics: new (await import('prom-client')).Registry(),
    settings: { publicUrl: PUBLIC_URL, apiPrefix: PREFIX, signingAlgorithm: core.keys.algorithm, signingKeyId: core.keys.keyId, signCards: false, signingKeyCreatedAt: new Date(Date.now() - 400 * 86_400_000), signingKeyRotationDays: 180, credentialRotationDays: 90, auditRetentionDays: 30, didResolveSample: 0 }
  })
  const principal = { organizationId: admin.organizationId, agentId: admin.agentId, scopes: new Set(['compliance:read']), tokenId: 'x', issuedAt: 0, expiresAt: 0, claims: {} }
  const report = await reports.generate(principal)
  const extra = requirement(report, `agent-card.${agentId}`)!
  t.equal(extra.status, 'fail')
  t.match(JSON.stringify(extra.evidence.schemaErrors), /did|additional|propert/i)
  t.ok(extra.remediation)
  const otherAgent = await createAgent(app, admin)
  const second = await reports.generate(principal)
  const missing = requirement(second, `agent-card.${otherAgent}`)!
  t.equal(missing.status, 'fail')
  t.same(missing.evidence.missingRequiredFields, ['skills'])
  t.equal(requirement(second, 'jwks.rotation')?.status, 'warn', 'a key older than the threshold')
  t.match(requirement(second, 'jwks.rotation')?.evidence, { ageDays: 400 })
  t.equal(requirement(second, 'jwks.card-signatures')?.status, 'warn')
  t.equal(requirement(second, 'audit.retention')?.status, 'fail', 'the instance purges after 30 days')
  t.match(requirement(second, `did.${agentId}`)?.evidence, { documentResolved: false })
})

t.test('tiers and scopes: free gets COMPLIANCE_REPORT_TIER_REQUIRED; a token without compliance:read is refused', async (t) => {
  const app = await buildApp(t)
  const free = await session(app, 'free')
  const refused = await getReport(app, free)
  t.equal(refused.statusCode, 403)
  t.equal(refused.json<{ code: string }>().code, 'COMPLIANCE_REPORT_TIER_REQUIRED')
  t.match(refused.json<{ details: unknown }>().details, { tier: 'free', requiredTiers: ['pro', 'enterprise'] })

  const pro = await app.sentryagent.organizations.create('Scoped', 'pro')
  const token = await app.inject({ method: 'POST', url: `${PREFIX}/token`, payload: { grant_type: 'client_credentials', client_id: pro.clientId, client_secret: pro.clientSecret, scope: 'agents:read' } })
  const noScope = await app.inject({ method: 'GET', url: `${PREFIX}/agntcy/compliance-report`, headers: { authorization: `Bearer ${token.json<{ access_token: string }>().access_token}` } })
  t.equal(noScope.statusCode, 403)
  t.equal(noScope.json<{ code: string }>().code, 'FORBIDDEN')
  t.equal((await app.inject({ method: 'GET', url: `${PREFIX}/agntcy/compliance-report` })).statusCode, 401)
  const pdf = await getReport(app, await session(app), '?format=pdf')
  t.equal(pdf.statusCode, 400, 'no PDF rendering')
})

t.test('a fresh signing key passes rotation; the pro tier\'s 90 days of audit only warn', async (t) => {
  const app = await buildApp(t, { signingKeyCreatedAt: new Date().toISOString(), credentialRotationDays: 1 })
  const report = await getReport(app, await session(app, 'pro'))
  t.equal(report.statusCode, 200)
  const parsed = report.json<ComplianceReport>()
  t.equal(requirement(parsed, 'jwks.rotation')?.status, 'pass')
  t.equal(requirement(parsed, 'audit.retention')?.status, 'warn', 'pro keeps 90 days')
})
