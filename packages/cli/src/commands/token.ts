import type { ApiClient } from '../api/api-client.js'
import type { Output } from '../output.js'

/** Prints an access token for the configured client: bare (for `$(sentryagent token)`), or the token response. */
export async function token (client: ApiClient, json: boolean, output: Output): Promise<void> {
  const response = await client.accessToken()
  output.out(json ? JSON.stringify(response) : response.access_token)
}
