import { Type, type Static } from 'typebox'

export const STATUSES = ['pass', 'warn', 'fail', 'not_applicable'] as const
const Status = Type.Enum(STATUSES)
export type Status = Static<typeof Status>

export const Requirement = Type.Object({
  id: Type.String(),
  description: Type.String(),
  status: Status,
  evidence: Type.Record(Type.String(), Type.Unknown(), { description: 'What was observed in live state' }),
  remediation: Type.Union([Type.String(), Type.Null()], { description: 'What to do when the status is not pass' }),
  verifiedAt: Type.String({ format: 'date-time' })
}, { $id: 'ComplianceRequirement' })
export type Requirement = Static<typeof Requirement>

export const Section = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Status,
  requirements: Type.Array(Requirement)
}, { $id: 'ComplianceSection' })
export type Section = Static<typeof Section>

export const ComplianceReport = Type.Object({
  reportId: Type.String({ format: 'uuid' }),
  generatedAt: Type.String({ format: 'date-time' }),
  tenantId: Type.String({ format: 'uuid' }),
  agntcy_spec_version: Type.Literal('sentryagent-agntcy-profile/1'),
  standards: Type.Record(Type.String(), Type.String(), { description: 'Each standard evaluated, pinned to the version checked' }),
  overallStatus: Status,
  summary: Type.Object({ pass: Type.Integer(), warn: Type.Integer(), fail: Type.Integer(), not_applicable: Type.Integer() }),
  sections: Type.Array(Section),
  pdfExportHint: Type.String()
}, { $id: 'ComplianceReport' })
export type ComplianceReport = Static<typeof ComplianceReport>

export const ReportQuery = Type.Object({
  format: Type.Optional(Type.Literal('json', { description: 'Only JSON is produced (no PDF rendering)' }))
}, { additionalProperties: false, $id: 'ComplianceReportQuery' })
