import type { Agent } from '@sentryagent/core'
import type { ActiveCredential } from '../repository.js'
import type { Section } from '../report-schema.js'
import { section, type RequirementFactory } from './requirement.js'

/** W3C DID Core §3.1 syntax: `did:` method-name `:` method-specific-id (pct-encoded allowed). */
export const DID_SYNTAX = /^did:[a-z0-9]+:(?:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+$/

// An Ed25519 public key as SPKI DER is this 12-byte header and the 32-byte key (RFC 8410 §4):
// comparing bytes is ~100× cheaper than parsing a key object per credential.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

export function isEd25519PublicKeyPem (pem: string): boolean {
  const der = Buffer.from(pem.replace(/-----(?:BEGIN|END) PUBLIC KEY-----|\s/g, ''), 'base64')
  return der.length === ED25519_SPKI_PREFIX.length + 32 && der.subarray(0, ED25519_SPKI_PREFIX.length).equals(ED25519_SPKI_PREFIX)
}

/** The subset of a DID document the checks read. */
export interface DidDocumentLike {
  id?: unknown
  controller?: unknown
  verificationMethod?: Array<{ id?: unknown, type?: unknown, controller?: unknown, publicKeyJwk?: Record<string, unknown> }>
  authentication?: unknown[]
  assertionMethod?: unknown[]
}

export interface DidResolver {
  agentDid(agentId: string): string
  agent(organizationId: string, agentId: string): Promise<DidDocumentLike>
}

/** DID Core rules a document must keep; answers the ones it breaks. */
export function didCoreViolations (document: DidDocumentLike, expectedId: string): string[] {
  const violations: string[] = []
  if (document.id !== expectedId) violations.push(`id is ${String(document.id)}, expected ${expectedId}`)
  if (typeof document.id !== 'string' || !DID_SYNTAX.test(document.id)) violations.push('id is not a DID (DID Core §3.1)')
  const methods = document.verificationMethod ?? []
  const methodIds = new Set<unknown>()
  for (const method of methods) {
    if (typeof method.id !== 'string' || !method.id.startsWith(`${expectedId}#`)) violations.push(`verification method id ${String(method.id)} is not a DID URL of the subject`)
    if (methodIds.has(method.id)) violations.push(`verification method id ${String(method.id)} is repeated (DID Core §5.3)`)
    methodIds.add(method.id)
    if (typeof method.type !== 'string') violations.push(`verification method ${String(method.id)} has no type`)
    if (typeof method.controller !== 'string' || !DID_SYNTAX.test(method.controller)) violations.push(`verification method ${String(method.id)} has no DID controller`)
    if (method.publicKeyJwk === undefined || 'd' in method.publicKeyJwk) violations.push(`verification method ${String(method.id)} must hold a public JWK only`)
  }
  for (const relation of ['authentication', 'assertionMethod'] as const) {
    for (const reference of document[relation] ?? []) {
      if (typeof reference === 'string' && !methodIds.has(reference)) violations.push(`${relation} refers to ${reference}, which the document does not define`)
    }
  }
  return violations
}

export interface DidSectionInput {
  organizationId: string
  agents: readonly Agent[]
  credentialsByAgent: ReadonlyMap<string, ActiveCredential[]>
  resolver: DidResolver
  /** Agents whose served DID document is resolved and checked in full (the rest are checked from the batch). */
  resolveSample: number
}

/**
 * Each agent's DID and key binding. Every agent is checked from one batch of credentials (its
 * DID's syntax, a current credential whose Ed25519 key the document lists); a sample of
 * agents' documents is also resolved as served and checked against DID Core in full.
 */
export async function didSection (input: DidSectionInput, requirements: RequirementFactory): Promise<Section> {
  const description = 'The agent\'s DID document resolves, its id matches the agent\'s DID and it lists the current credential\'s key'
  if (input.agents.length === 0) {
    return section('dids', 'DID documents and key binding', [requirements.make('dids.none', description, 'not_applicable', { agents: 0 })])
  }
  let sampled = 0
  const results = []
  for (const agent of input.agents) {
    const id = `did.${agent.agentId}`
    const did = input.resolver.agentDid(agent.agentId)
    const credentials = input.credentialsByAgent.get(agent.agentId) ?? []
    const current = credentials[0]
    if (current === undefined) {
      results.push(requirements.make(id, description, 'fail', { agentId: agent.agentId, did, activeCredentials: 0 },
        'Create a credential for the agent (POST /agents/{agentId}/credentials): its DID document lists no key until then'))
      continue
    }
    const violations = DID_SYNTAX.test(did) ? [] : ['the agent DID is not DID Core syntax']
    if (!isEd25519PublicKeyPem(current.signingPublicKey)) violations.push('the current credential\'s key is not Ed25519')
    let resolved = false
    if (sampled < input.resolveSample) {
      sampled++
      resolved = true
      const document = await input.resolver.agent(input.organizationId, agent.agentId)
      violations.push(...didCoreViolations(document, did))
      const listed = (document.verificationMethod ?? []).some((method) => method.id === `${did}#${current.signingKeyId}`)
      if (!listed) violations.push(`the document does not list the current credential's key ${current.signingKeyId}`)
    }
    const evidence = { agentId: agent.agentId, did, currentCredentialId: current.credentialId, currentKeyId: current.signingKeyId, activeCredentials: credentials.length, documentResolved: resolved }
    results.push(violations.length === 0
      ? requirements.make(id, description, 'pass', evidence)
      : requirements.make(id, description, 'fail', { ...evidence, violations }, 'Rotate the agent\'s credential so that its DID document is rebuilt from a fresh key'))
  }
  return section('dids', 'DID documents and key binding', results)
}
