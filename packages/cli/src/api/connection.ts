import { runningEmbeddedServer } from '@sentryagent/server'
import { UsageError } from '../output.js'

/** Where the developer commands go and as whom. */
export interface Connection { apiUrl: string, clientId: string, clientSecret: string }

export interface ConnectionArgs { apiUrl?: string | undefined, clientId?: string | undefined, clientSecret?: string | undefined }

// `pnpm start` with no environment listens here.
const DEFAULT_API_URL = 'http://127.0.0.1:3000'

/**
 * Flags win over the AGENTIDP_* variables the SDKs and starters read. Without either, the API URL
 * is the embedded server running from this directory, else the embedded default.
 */
export async function resolveConnection (args: ConnectionArgs, env: Record<string, string | undefined>): Promise<Connection> {
  const clientId = nonEmpty(args.clientId) ?? nonEmpty(env.AGENTIDP_CLIENT_ID)
  const clientSecret = nonEmpty(args.clientSecret) ?? nonEmpty(env.AGENTIDP_CLIENT_SECRET)
  if (clientId === undefined || clientSecret === undefined) {
    throw new UsageError('Credentials are required: set AGENTIDP_CLIENT_ID and AGENTIDP_CLIENT_SECRET (or pass --client-id and --client-secret)')
  }
  const given = nonEmpty(args.apiUrl) ?? nonEmpty(env.AGENTIDP_API_URL)
  const apiUrl = given ?? (await runningEmbeddedServer(env.SENTRYAGENT_DATA_DIR ?? '.sentryagent'))?.url ?? DEFAULT_API_URL
  let parsed: URL
  try {
    parsed = new URL(apiUrl)
  } catch {
    throw new UsageError(`The API URL is not a URL: ${apiUrl}`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`The API URL must be http(s): ${apiUrl}`)
  // The host root, as the SDKs take it: a trailing slash would double in every path.
  return { apiUrl: apiUrl.replace(/\/+$/, ''), clientId, clientSecret }
}

function nonEmpty (value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}
