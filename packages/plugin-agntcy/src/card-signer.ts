import { FlattenedSign } from 'jose'
import canonicalize from 'canonicalize'
import type { SigningKeys } from '@sentryagent/core'
import type { AgentCard } from './agent-card-schema.js'

/** Adds a card's JWS (A2A v1.0 §8.4): the RFC 8785 form of the card without `signatures`, payload detached. */
export class CardSigner {
  readonly #header

  constructor (private readonly keys: SigningKeys, jwksUrl: string) {
    // typ JOSE and the JWKS location: a verifier finds the key by kid there.
    this.#header = { alg: keys.algorithm, kid: keys.keyId, typ: 'JOSE', jku: jwksUrl }
  }

  async sign (card: AgentCard): Promise<AgentCard> {
    const { signatures: _ignored, ...unsigned } = card
    const payload = new TextEncoder().encode(canonicalize(unsigned)!)
    const jws = await new FlattenedSign(payload).setProtectedHeader(this.#header).sign(this.keys.privateKey)
    return { ...unsigned, signatures: [{ protected: jws.protected!, signature: jws.signature }] }
  }
}
