import { generateKeyPairSync, createPrivateKey, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK } from 'jose'
import type { SecretBox } from './secret-box.js'

export interface SealedKeyPair {
  keyId: string
  publicKeyPem: string
  sealedPrivateKey: Buffer
}

/** Per-credential Ed25519 keys: they sign the delegations an agent makes. */
export class CredentialKeys {
  constructor (private readonly box: SecretBox) {}

  async create (credentialId: string): Promise<SealedKeyPair> {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519')
    const keyId = await calculateJwkThumbprint(await exportJWK(publicKey))
    return {
      keyId,
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      sealedPrivateKey: this.box.seal(privateKey.export({ type: 'pkcs8', format: 'der' }), credentialId)
    }
  }

  open (credentialId: string, sealedPrivateKey: Buffer): KeyObject {
    return createPrivateKey({ key: this.box.open(sealedPrivateKey, credentialId), format: 'der', type: 'pkcs8' })
  }
}
