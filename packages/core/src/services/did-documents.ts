import { createPublicKey } from 'node:crypto'
import { exportJWK, type JWK } from 'jose'
import type { SigningKeys } from '../crypto/signing-keys.js'
import type { AgentRepository } from '../repositories/agent-repository.js'
import type { CredentialRepository } from '../repositories/credential-repository.js'
import type { Agent } from '../schemas/agent.js'
import { AgentNotFoundError } from '../errors.js'

// A type alias (not an interface) so that it is assignable to a JSON record.
export type DidDocument = {
  '@context': string[]
  id: string
  controller?: string
  verificationMethod: Array<{ id: string, type: 'JsonWebKey2020', controller: string, publicKeyJwk: JWK }>
  authentication: string[]
  assertionMethod: string[]
}

const CONTEXT = ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1']

/** did:web documents: the instance's (token-signing key) and each agent's (credential keys). */
export class DidDocuments {
  readonly instanceDid: string

  constructor (
    publicUrl: string,
    private readonly apiPrefix: string,
    private readonly keys: SigningKeys,
    private readonly agents: AgentRepository,
    private readonly credentials: CredentialRepository
  ) {
    const url = new URL(publicUrl)
    // did:web percent-encodes the port's colon (W3C did:web §3.1).
    this.instanceDid = `did:web:${encodeURIComponent(url.host)}`
  }

  agentDid (agentId: string): string {
    const path = [...this.apiPrefix.split('/').filter(Boolean), 'agents', agentId]
    return [this.instanceDid, ...path].join(':')
  }

  instance (): DidDocument {
    const methodId = `${this.instanceDid}#${this.keys.keyId}`
    return {
      '@context': CONTEXT,
      id: this.instanceDid,
      verificationMethod: [{ id: methodId, type: 'JsonWebKey2020', controller: this.instanceDid, publicKeyJwk: this.keys.publicJwk }],
      authentication: [methodId],
      assertionMethod: [methodId]
    }
  }

  /** The agent's DID document lists the Ed25519 key of each of its active credentials. */
  async agent (organizationId: string, agentId: string): Promise<DidDocument> {
    const agent = await this.agents.find(organizationId, agentId)
    if (agent === undefined) throw new AgentNotFoundError(agentId)
    return this.of(agent)
  }

  /** The document of an agent already read (and checked visible) by the caller. */
  async of ({ organizationId, agentId }: Pick<Agent, 'organizationId' | 'agentId'>): Promise<DidDocument> {
    const id = this.agentDid(agentId)
    const { credentials } = await this.credentials.list(organizationId, agentId, 1, 100)
    const methods = await Promise.all(credentials.filter((c) => c.status === 'active').map(async (credential) => ({
      id: `${id}#${credential.signingKeyId}`,
      type: 'JsonWebKey2020' as const,
      controller: id,
      publicKeyJwk: { ...await exportJWK(createPublicKey(credential.signingPublicKey)), kid: credential.signingKeyId }
    })))
    const methodIds = methods.map((method) => method.id)
    return { '@context': CONTEXT, id, controller: this.instanceDid, verificationMethod: methods, authentication: methodIds, assertionMethod: methodIds }
  }
}
