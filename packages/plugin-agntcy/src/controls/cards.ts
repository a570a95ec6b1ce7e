import type { Agent } from '@sentryagent/core'
import { Compile } from 'typebox/compile'
import { AgentCard, REQUIRED_CARD_FIELDS } from '../agent-card-schema.js'
import type { CardBuilder } from '../card-builder.js'
import type { Section } from '../report-schema.js'
import { section, type RequirementFactory } from './requirement.js'

const validator = Compile(AgentCard)
const MAX_ERRORS = 10

/** Each agent's card: buildable from the registry, valid against the A2A v1.0 AgentCard schema, required fields present. */
export function agentCardSection (agents: readonly Agent[], builder: CardBuilder, requirements: RequirementFactory): Section {
  const description = 'The agent\'s A2A v1.0 agent card is complete and validates (schema + proto-required fields)'
  if (agents.length === 0) {
    return section('agent-cards', 'A2A agent cards', [requirements.make('agent-cards.none', description, 'not_applicable', { agents: 0 })])
  }
  return section('agent-cards', 'A2A agent cards', agents.map((agent) => {
    const id = `agent-card.${agent.agentId}`
    const built = builder.build(agent)
    if (built.problems !== undefined) {
      return requirements.make(id, description, 'fail', { agentId: agent.agentId, problems: built.problems },
        built.problems.map((problem) => problem.remediation).join('; '))
    }
    const card = built.card as Record<string, unknown>
    const missing = REQUIRED_CARD_FIELDS.filter((field) => card[field] === undefined)
    const errors = validator.Check(card) ? [] : validator.Errors(card).slice(0, MAX_ERRORS).map((error) => `${error.instancePath || '/'} ${error.message}`)
    if (missing.length > 0 || errors.length > 0) {
      return requirements.make(id, description, 'fail', { agentId: agent.agentId, missingRequiredFields: missing, schemaErrors: errors },
        'The card does not match A2A v1.0: fix the registry fields named in the errors, or report the card builder\'s output as a bug')
    }
    return requirements.make(id, description, 'pass', {
      agentId: agent.agentId,
      name: built.card.name,
      interfaces: built.card.supportedInterfaces.map((entry) => `${entry.protocolBinding} ${entry.url} (A2A ${entry.protocolVersion})`),
      skills: built.card.skills.length,
      isPublic: agent.isPublic
    })
  }))
}
