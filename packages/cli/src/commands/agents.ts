import type { ApiClient } from '../api/api-client.js'
import { UsageError, type Output } from '../output.js'

interface Agent { agentId: string, email: string, agentType: string, version: string, status: string, deploymentEnv: string, capabilities: string[], owner: string }
interface AgentPage { data: Agent[], page: number, limit: number, total: number }
interface CreatedCredential { credentialId: string, clientId: string, clientSecret: string }

export interface AgentsListArgs { page: string | undefined, limit: string | undefined, status: string | undefined, json: boolean }

export async function agentsList (client: ApiClient, args: AgentsListArgs, output: Output): Promise<void> {
  const query = new URLSearchParams()
  for (const [name, value] of [['page', args.page], ['limit', args.limit], ['status', args.status]] as const) {
    if (value !== undefined) query.set(name, value)
  }
  const page = await client.json<AgentPage>('GET', `/agents${query.size > 0 ? `?${query}` : ''}`)
  if (args.json) {
    output.out(JSON.stringify(page))
    return
  }
  const rows = page.data.map((agent) => [agent.agentId, agent.status, agent.agentType, agent.deploymentEnv, agent.email])
  output.out([...table([['AGENT ID', 'STATUS', 'TYPE', 'ENV', 'EMAIL'], ...rows]), `${page.data.length} of ${page.total} agent(s), page ${page.page}`].join('\n'))
}

export async function agentsGet (client: ApiClient, agentId: string | undefined, json: boolean, output: Output): Promise<void> {
  if (agentId === undefined || agentId === '') throw new UsageError('agents get needs an agent id: sentryagent agents get <agent-id>')
  const agent = await client.json<Agent>('GET', `/agents/${encodeURIComponent(agentId)}`)
  output.out(json ? JSON.stringify(agent) : describe(agent))
}

export interface AgentsCreateArgs {
  email: string | undefined
  agentType: string | undefined
  agentVersion: string | undefined
  capabilities: string | undefined
  owner: string | undefined
  deploymentEnv: string | undefined
  credential: boolean
  json: boolean
}

/** Registers an agent (the server validates the fields); with --credential also issues its first credential. */
export async function agentsCreate (client: ApiClient, args: AgentsCreateArgs, output: Output): Promise<void> {
  if (args.email === undefined) throw new UsageError('agents create needs --email')
  const capabilities = (args.capabilities ?? 'agents:read').split(',').map((scope) => scope.trim()).filter((scope) => scope !== '')
  const agent = await client.json<Agent>('POST', '/agents', {
    email: args.email,
    agentType: args.agentType ?? 'custom',
    version: args.agentVersion ?? '1.0.0',
    capabilities,
    owner: args.owner ?? 'sentryagent-cli',
    deploymentEnv: args.deploymentEnv ?? 'development'
  })
  const credential = args.credential ? await client.json<CreatedCredential>('POST', `/agents/${agent.agentId}/credentials`, {}) : undefined
  if (args.json) {
    output.out(JSON.stringify(credential === undefined ? agent : { ...agent, credential }))
    return
  }
  const lines = [`Agent created: ${agent.agentId}`, describe(agent)]
  if (credential !== undefined) {
    lines.push('', `Client ID:     ${credential.clientId}`, `Client secret: ${credential.clientSecret}`, 'The client secret is shown only once: store it now.')
  }
  output.out(lines.join('\n'))
}

function describe (agent: Agent): string {
  return table([
    ['agentId', agent.agentId], ['email', agent.email], ['status', agent.status], ['agentType', agent.agentType],
    ['version', agent.version], ['deploymentEnv', agent.deploymentEnv], ['owner', agent.owner], ['capabilities', agent.capabilities.join(' ')]
  ]).join('\n')
}

/** Left-aligned columns, two spaces apart. */
function table (rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows.map((row) => row.map((cell, column) => column === row.length - 1 ? cell : cell.padEnd(widths[column]!)).join('  '))
}
