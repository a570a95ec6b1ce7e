import { InvalidOptionError } from './errors.js'

export interface ScaffoldOptions {
  /**
   * The host root the starters call (`AGENTIDP_API_URL`, as the SDKs take it); defaults to
   * core's `publicUrl`, the server's configured public URL.
   */
  apiUrl?: string
  /** Downloads one tenant may make per minute (declared as the route's `config.rateLimit`). */
  downloadsPerMinute?: number
  /** Where the starter templates are read from at registration; defaults to the package's own. */
  templatesDirectory?: string
}

export const DEFAULTS = Object.freeze({
  downloadsPerMinute: 10
})

export interface ResolvedScaffoldOptions {
  apiUrl?: string
  downloadsPerMinute: number
  templatesDirectory?: string
}

export function resolveOptions (options: ScaffoldOptions): ResolvedScaffoldOptions {
  const resolved: ResolvedScaffoldOptions = { ...DEFAULTS, ...options }
  if (!Number.isInteger(resolved.downloadsPerMinute) || resolved.downloadsPerMinute < 1) {
    throw new InvalidOptionError('downloadsPerMinute must be a positive integer')
  }
  if (resolved.apiUrl !== undefined) {
    // The starters append the API prefix to it: only an http(s) origin works.
    const url = URL.canParse(resolved.apiUrl) ? new URL(resolved.apiUrl) : undefined
    if (url === undefined || !['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search !== '') {
      throw new InvalidOptionError('apiUrl must be an http(s) origin such as https://idp.example.com')
    }
    resolved.apiUrl = url.origin
  }
  if (resolved.templatesDirectory !== undefined && typeof resolved.templatesDirectory !== 'string') {
    throw new InvalidOptionError('templatesDirectory must be a path')
  }
  return resolved
}
