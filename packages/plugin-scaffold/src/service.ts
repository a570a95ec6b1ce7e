import type { Readable } from 'node:stream'
import type { Registry } from 'prom-client'
import { counter, histogram, type AuditLog, type Clock } from '@sentryagent/core'
import { DEFAULT_LANGUAGE, LANGUAGES, RUST_SDK_VERSION, isLanguage, type Language } from './languages.js'
import { agentNameOf, starterNameOf } from './naming.js'
import type { StarterFile, TemplateLibrary } from './templates.js'
import { zipStarter } from './zip.js'
import { UnsupportedLanguageError } from './errors.js'

/** Reads an agent of one organization; another organization's agent is AGENT_NOT_FOUND (core's AgentService). */
export interface AgentLookup { get(organizationId: string, agentId: string): Promise<{ agentId: string, email: string }> }

export interface ScaffoldServiceDependencies {
  agents: AgentLookup
  templates: TemplateLibrary
  audit: Pick<AuditLog, 'record'>
  metrics: Registry
  clock: Clock
  /** The host root written into `.env.example` as AGENTIDP_API_URL. */
  apiUrl: string
  /** The API prefix the starters put before /token and /agents. */
  apiPrefix: string
}

export interface Download {
  fileName: string
  /** The ZIP, produced as it is read. */
  archive: Readable
}

/** Builds a starter project for one of the caller's agents, as a ZIP stream. */
export class ScaffoldService {
  readonly #downloads
  readonly #generation

  constructor (private readonly deps: ScaffoldServiceDependencies) {
    this.#downloads = counter(deps.metrics, 'scaffold_downloads_total', 'Starter ZIPs downloaded, by language', ['language'])
    this.#generation = histogram(deps.metrics, 'scaffold_generation_seconds', 'Time to produce a starter ZIP, from request to last byte', ['language'])
  }

  async download (caller: { organizationId: string, agentId: string }, agentId: string, language: string = DEFAULT_LANGUAGE): Promise<Download> {
    if (!isLanguage(language)) {
      throw Object.assign(new UnsupportedLanguageError(language, LANGUAGES.join(', ')), { details: { supported: LANGUAGES } })
    }
    const stopTimer = this.#generation.startTimer({ language })
    const agent = await this.deps.agents.get(caller.organizationId, agentId)
    await this.deps.audit.record({
      organizationId: caller.organizationId,
      agentId: caller.agentId,
      action: 'scaffold.downloaded',
      details: { scaffoldAgentId: agent.agentId, language }
    })
    this.#downloads.inc({ language })
    const name = starterNameOf(agentNameOf(agent.email), language)
    const archive = zipStarter(name, this.#render(agent.agentId, name, language), this.deps.clock.now())
    archive.once('end', () => { stopTimer() })
    return { fileName: `${name}.zip`, archive }
  }

  #render (agentId: string, projectName: string, language: Language): StarterFile[] {
    return this.deps.templates.render(language, {
      AGENT_ID: agentId,
      API_URL: this.deps.apiUrl,
      API_PREFIX: this.deps.apiPrefix,
      PROJECT_NAME: projectName,
      RUST_SDK_VERSION
    })
  }
}
