import type { FastifyRequest } from 'fastify'
import type { TokenRequest } from '../schemas/token.js'
import { OAuthError } from '../errors.js'

export interface ClientCredentials { clientId: string, clientSecret: string }

/** RFC 6749 §2.3.1: HTTP Basic (form-urlencoded parts) or the request body, not both. */
export function readClientCredentials (request: FastifyRequest, body: TokenRequest): ClientCredentials {
  // RFC 7235 §2.1: the scheme name is case-insensitive.
  const basic = /^Basic (.*)$/i.exec(request.headers.authorization ?? '')
  if (basic !== null) {
    if (body.client_secret !== undefined) throw new OAuthError('invalid_request', 'Use one client authentication method')
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8')
    const separator = decoded.indexOf(':')
    if (separator < 0) throw new OAuthError('invalid_client', 'Malformed Basic credentials')
    try {
      return { clientId: decodeURIComponent(decoded.slice(0, separator)), clientSecret: decodeURIComponent(decoded.slice(separator + 1)) }
    } catch {
      throw new OAuthError('invalid_client', 'Malformed Basic credentials')
    }
  }
  if (body.client_id === undefined || body.client_secret === undefined) {
    throw new OAuthError('invalid_client', 'Client authentication is required')
  }
  return { clientId: body.client_id, clientSecret: body.client_secret }
}
