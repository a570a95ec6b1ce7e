import { agntcyPlugin } from './plugin.js'

// Encapsulated on purpose: it shares no decorators, it reads core's services.
export default agntcyPlugin
export { agntcyPlugin } from './plugin.js'
export { DEFAULTS, type AgntcyOptions, type ResolvedAgntcyOptions } from './options.js'
export { AgentCard, REQUIRED_CARD_FIELDS } from './agent-card-schema.js'
export { RegistryCardBuilder, DID_EXTENSION_URI, SECURITY_SCHEME, A2A_PROTOCOL_VERSION, type CardBuilder, type CardBuild, type CardContext, type CardProblem } from './card-builder.js'
export { CardSigner } from './card-signer.js'
export { CardService, matchesEtag, type ServedCard, type AgentLookup } from './card-service.js'
export { ComplianceReportService, PROFILE, STANDARDS, type ReportDependencies, type ReportSettings } from './report-service.js'
export { ReportRepository, type ActiveCredential, type DelegationStats } from './repository.js'
export { ComplianceReport, Requirement, Section, STATUSES, type Status } from './report-schema.js'
export { didCoreViolations, DID_SYNTAX, type DidDocumentLike, type DidResolver } from './controls/dids.js'
export * from './errors.js'
