import { buildServer, openRuntime, runningEmbeddedServer, type ServerConfig } from '@sentryagent/server'
import type { CreatedOrganization, Tier } from '@sentryagent/core'
import { UsageError, type Output } from '../output.js'

const TIERS: readonly Tier[] = ['free', 'pro', 'enterprise']

export interface OrgCreateArgs { name: string | undefined, tier: string | undefined, json: boolean }

/** Creates an organization and its admin agent; prints the admin's credentials once. */
export async function orgCreate (config: ServerConfig, args: OrgCreateArgs, output: Output): Promise<void> {
  const name = args.name?.trim()
  if (name === undefined || name === '' || name.length > 128) throw new UsageError('--name is required (1–128 characters)')
  const tier = (args.tier ?? 'free') as Tier
  if (!TIERS.includes(tier)) throw new UsageError(`--tier must be one of ${TIERS.join(', ')}`)

  const created = await createThroughRunningServer(config, name, tier) ?? await createDirectly(config, name, tier)
  if (args.json) {
    output.out(JSON.stringify(created))
    return
  }
  output.out([
    `Organization created: ${created.organizationId} (tier ${tier})`,
    `Admin agent:          ${created.agentId}`,
    `Client ID:            ${created.clientId}`,
    `Client secret:        ${created.clientSecret}`,
    '',
    'The client secret is shown only once: store it now.',
    `Get a token:  curl -s -X POST ${config.publicUrl}${config.apiPrefix}/token -d grant_type=client_credentials -d client_id=${created.clientId} -d client_secret=...`
  ].join('\n'))
}

async function createThroughRunningServer (config: ServerConfig, name: string, tier: Tier): Promise<CreatedOrganization | undefined> {
  if (config.databaseUrl !== undefined) return undefined
  const server = await runningEmbeddedServer(config.dataDir)
  if (server === undefined) return undefined
  const response = await fetch(`${server.url}/internal/operator/organizations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sentryagent-operator': server.operatorToken },
    body: JSON.stringify({ name, tier })
  })
  if (response.status !== 201) throw new Error(`The running server refused to create the organization (${response.status}): ${await response.text()}`)
  return await response.json() as CreatedOrganization
}

async function createDirectly (config: ServerConfig, name: string, tier: Tier): Promise<CreatedOrganization> {
  const runtime = await openRuntime(config)
  try {
    const app = await buildServer(config, { runtime, logger: false })
    try {
      await app.ready()
      return await app.sentryagent.organizations.create(name, tier)
    } finally {
      await app.close()
    }
  } finally {
    // Also when the app fails to build: open connections would keep the process alive.
    await runtime.close()
  }
}
