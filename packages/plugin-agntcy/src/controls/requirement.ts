import type { Requirement, Section, Status } from '../report-schema.js'

// Worst first: a section is as bad as its worst requirement; not_applicable only when all are.
const SEVERITY: readonly Status[] = ['fail', 'warn', 'pass', 'not_applicable']

export function worstOf (statuses: Status[]): Status {
  return SEVERITY.find((status) => statuses.includes(status)) ?? 'not_applicable'
}

export function section (id: string, name: string, requirements: Requirement[]): Section {
  return { id, name, status: worstOf(requirements.map((requirement) => requirement.status)), requirements }
}

/** Builds requirements stamped with the time the evidence was read. */
export class RequirementFactory {
  constructor (private readonly verifiedAt: string) {}

  make (id: string, description: string, status: Status, evidence: Record<string, unknown>, remediation: string | null = null): Requirement {
    return { id, description, status, evidence, remediation: status === 'pass' || status === 'not_applicable' ? null : remediation, verifiedAt: this.verifiedAt }
  }
}
