import type { KeyObject } from 'node:crypto'
import { signCompactJws } from '@sentryagent/core'
import type { Link } from './link.js'
import { nestedAct, signatureValid } from './link.js'

export const DELEGATION_TOKEN_TYPE = 'delegation+jwt'
/** Tokens longer than this are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8192

export interface DelegationClaims {
  delegation_id: string
  organization_id: string
  link_hash: string
  exp: number
}

export interface ParsedToken {
  credentialId: string
  claims: DelegationClaims
  /** The token as given: its signature is checked only when it was not seen verified before. */
  compact: string
}

/**
 * A compact JWS signed by the delegator's credential key. `sub` is the root delegator (whose
 * authority flows), `act` nests the delegatees from the current one back to the first.
 */
export function signDelegationToken (path: Link[], privateKey: KeyObject): string {
  const link = path[path.length - 1]!
  return signCompactJws({ alg: 'EdDSA', typ: DELEGATION_TOKEN_TYPE, kid: link.signingCredentialId }, {
    jti: link.chainId,
    delegation_id: link.chainId,
    root_chain_id: link.rootChainId,
    organization_id: link.organizationId,
    sub: path[0]!.delegatorAgentId,
    scope: link.scopes.join(' '),
    depth: link.depth,
    link_hash: link.payloadHash,
    iat: link.issuedAt,
    exp: link.expiresAt,
    act: nestedAct(path.map((hop) => hop.delegateeAgentId))
  }, privateKey)
}

function decodeJson (part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

const BASE64URL = /^[A-Za-z0-9_-]+$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const isUuid = (value: unknown): boolean => typeof value === 'string' && UUID.test(value)

/** The token's parts when it is shaped like one of ours; undefined for anything else. */
export function parseDelegationToken (token: string): ParsedToken | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined
  const parts = token.split('.')
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) return undefined
  const header = decodeJson(parts[0]!)
  const claims = decodeJson(parts[1]!)
  if (header?.alg !== 'EdDSA' || header.typ !== DELEGATION_TOKEN_TYPE || !isUuid(header.kid)) return undefined
  if (claims === undefined || !isUuid(claims.delegation_id) || !isUuid(claims.organization_id) ||
    typeof claims.link_hash !== 'string' || typeof claims.exp !== 'number') return undefined
  return { credentialId: header.kid as string, claims: claims as unknown as DelegationClaims, compact: token }
}

export async function tokenSignatureValid (token: ParsedToken, publicKey: KeyObject): Promise<boolean> {
  const signatureStart = token.compact.lastIndexOf('.')
  return signatureValid(Buffer.from(token.compact.slice(0, signatureStart)), publicKey, Buffer.from(token.compact.slice(signatureStart + 1), 'base64url'))
}
