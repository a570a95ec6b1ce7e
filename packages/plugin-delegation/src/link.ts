import { createHash, sign, verify, type KeyObject } from 'node:crypto'
import canonicalize from 'canonicalize'

/** One delegation link as the database holds it (times in epoch seconds). */
export interface Link {
  chainId: string
  organizationId: string
  rootChainId: string
  parentChainId: string | null
  /** Root first, parent last; empty for a root link. */
  ancestorPath: string[]
  delegatorAgentId: string
  delegateeAgentId: string
  scopes: string[]
  depth: number
  issuedAt: number
  expiresAt: number
  revoked: boolean
  credentialRevoked: boolean
  signingCredentialId: string
  signingKeyId: string
  payloadHash: string
  signature: string
}

export type UnsignedLink = Omit<Link, 'payloadHash' | 'signature' | 'revoked' | 'credentialRevoked'>

/**
 * The RFC 8785 bytes a link's delegator signs. The parent's hash binds the link to its exact
 * parent, so a link can't be spliced onto another chain, reordered or moved between tenants.
 */
export function canonicalLinkPayload (link: UnsignedLink, parentHash: string | null): Buffer {
  return Buffer.from(canonicalize({
    v: 1,
    chainId: link.chainId,
    organizationId: link.organizationId,
    rootChainId: link.rootChainId,
    parentChainId: link.parentChainId,
    parentHash,
    ancestorPath: link.ancestorPath,
    delegator: link.delegatorAgentId,
    delegatee: link.delegateeAgentId,
    scopes: link.scopes,
    depth: link.depth,
    iat: link.issuedAt,
    exp: link.expiresAt,
    credentialId: link.signingCredentialId,
    keyId: link.signingKeyId
  })!)
}

const digest = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('base64url')

export function signLink (link: UnsignedLink, parentHash: string | null, privateKey: KeyObject): Link {
  const payload = canonicalLinkPayload(link, parentHash)
  return { ...link, revoked: false, credentialRevoked: false, payloadHash: digest(payload), signature: sign(null, payload, privateKey).toString('base64url') }
}

/**
 * An Ed25519 check on libuv's thread pool: a chain's checks (about 0.1 ms each here) then run on
 * every core at once, and the event loop keeps serving meanwhile. False for any malformed input.
 */
export async function signatureValid (data: Buffer, publicKey: KeyObject, signature: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      verify(null, data, publicKey, signature, (error, valid) => { resolve(error === null && valid) })
    } catch {
      resolve(false)
    }
  })
}

/** Whether the stored link is exactly what its delegator signed, on top of `parent`. */
export async function linkIsIntact (link: Link, parent: Link | undefined, publicKey: KeyObject): Promise<boolean> {
  const payload = canonicalLinkPayload(link, parent?.payloadHash ?? null)
  return digest(payload) === link.payloadHash && signatureValid(payload, publicKey, Buffer.from(link.signature, 'base64url'))
}

/** RFC 8693 nested `act`: the current actor outermost, earlier actors nested inside. */
export function nestedAct (actors: string[], innermost?: Record<string, unknown>): Record<string, unknown> | undefined {
  let act = innermost
  for (const actor of actors) act = act === undefined ? { sub: actor } : { sub: actor, act }
  return act
}
