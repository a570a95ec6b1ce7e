import { CliError, EXIT } from '../exit-codes.js'
import type { Connection } from './connection.js'
import { failureOf } from './failure.js'

export const API_PREFIX = '/api/v1'
// A server that accepted the connection but never answers is as good as unreachable.
const REQUEST_TIMEOUT_MS = 30_000

export interface TokenResponse { access_token: string, token_type: string, expires_in: number, scope: string }

export interface Download { bytes: Buffer, fileName: string | undefined }

/** Bytes received so far, and the total when the server announced it. */
export type ProgressListener = (received: number, total: number | undefined) => void

/** The developer commands' HTTP: client-credentials token once, then bearer calls under /api/v1. */
export class ApiClient {
  private token: Promise<TokenResponse> | undefined

  constructor (private readonly connection: Connection) {}

  get apiUrl (): string { return this.connection.apiUrl }

  /** An access token for the configured client (requested once per client). */
  async accessToken (): Promise<TokenResponse> {
    this.token ??= this.send('POST', '/token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: this.connection.clientId, client_secret: this.connection.clientSecret }).toString()
    }).then(async (response) => await response.json() as TokenResponse)
    return await this.token
  }

  async json<T> (method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await this.authorized(method, path, body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return await response.json() as T
  }

  /** Downloads a file whole, reporting progress as the bytes arrive. */
  async download (path: string, onProgress: ProgressListener = () => {}): Promise<Download> {
    const response = await this.authorized('GET', path, {})
    const announced = Number(response.headers.get('content-length'))
    const total = Number.isInteger(announced) && announced > 0 ? announced : undefined
    const chunks: Buffer[] = []
    let received = 0
    onProgress(0, total)
    for await (const chunk of response.body ?? []) {
      chunks.push(Buffer.from(chunk))
      received += chunk.byteLength
      onProgress(received, total)
    }
    const fileName = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1]
    return { bytes: Buffer.concat(chunks), fileName }
  }

  private async authorized (method: string, path: string, init: RequestInit): Promise<Response> {
    const { access_token: accessToken } = await this.accessToken()
    return await this.send(method, path, { ...init, headers: { ...init.headers as Record<string, string>, authorization: `Bearer ${accessToken}` } })
  }

  private async send (method: string, path: string, init: RequestInit): Promise<Response> {
    let response: Response
    try {
      response = await fetch(`${this.connection.apiUrl}${API_PREFIX}${path}`, { ...init, method, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
    } catch (error) {
      throw unreachable(this.connection.apiUrl, error)
    }
    if (!response.ok) throw await failureOf(response)
    return response
  }
}

function unreachable (apiUrl: string, error: unknown): CliError {
  const { name, message, cause } = error as Error & { cause?: { code?: string, message?: string } }
  const reason = name === 'TimeoutError' ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : cause?.code ?? cause?.message ?? message
  return new CliError(EXIT.UNREACHABLE, `Cannot reach the SentryAgent server at ${apiUrl} (${reason}). Is it running? Point the CLI at it with --api-url or AGENTIDP_API_URL.`, 'UNREACHABLE')
}
