import { generateKeyPairSync, createPrivateKey, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK } from 'jose'
import type { SecretBox } from './secret-box.js'
import { SealingKeyUnknownError } from '../errors.js'

export interface SealedKeyPair {
  keyId: string
  publicKeyPem: string
  sealedPrivateKey: Buffer
  /** Which sealing key sealed it. */
  sealingKeyId: string
}

/** What a sealed key needs after a sealing key rotation: nothing, sealing again, or a key the ring lacks. */
export type ResealOutcome = { state: 'current' } | { state: 'resealed', sealedPrivateKey: Buffer } | { state: 'unknown-key' }

/** Per-credential Ed25519 keys: they sign the delegations an agent makes. */
export class CredentialKeys {
  constructor (private readonly box: SecretBox) {}

  async create (credentialId: string): Promise<SealedKeyPair> {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519')
    const keyId = await calculateJwkThumbprint(await exportJWK(publicKey))
    return {
      keyId,
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      sealedPrivateKey: this.box.seal(privateKey.export({ type: 'pkcs8', format: 'der' }), credentialId),
      sealingKeyId: this.box.currentKeyId
    }
  }

  get sealingKeyId (): string {
    return this.box.currentKeyId
  }

  open (credentialId: string, sealedPrivateKey: Buffer): KeyObject {
    const opened = this.box.open(sealedPrivateKey, credentialId)
    if (opened === undefined) throw new SealingKeyUnknownError(credentialId)
    return createPrivateKey({ key: opened.plaintext, format: 'der', type: 'pkcs8' })
  }

  reseal (credentialId: string, sealedPrivateKey: Buffer): ResealOutcome {
    const opened = this.box.open(sealedPrivateKey, credentialId)
    if (opened === undefined) return { state: 'unknown-key' }
    if (opened.current) return { state: 'current' }
    return { state: 'resealed', sealedPrivateKey: this.box.seal(opened.plaintext, credentialId) }
  }
}
