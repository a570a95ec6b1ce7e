import { createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose'
import { InvalidOptionError } from '../errors.js'

export type JwtAlgorithm = 'ES256' | 'RS256'

export interface PemKeyPair { privateKey: string, publicKey: string }

/** The server's token-signing key: signs access tokens, published in the JWKS. */
export class SigningKeys {
  private constructor (
    readonly algorithm: JwtAlgorithm,
    readonly keyId: string,
    readonly privateKey: KeyObject,
    readonly publicKey: KeyObject,
    readonly publicJwk: JWK
  ) {}

  static async fromPem (pem: PemKeyPair, algorithm: JwtAlgorithm): Promise<SigningKeys> {
    let privateKey: KeyObject
    let publicKey: KeyObject
    try {
      privateKey = createPrivateKey(pem.privateKey)
      publicKey = createPublicKey(pem.publicKey)
    } catch {
      throw new InvalidOptionError('jwtPrivateKey / jwtPublicKey must be PEM keys')
    }
    const expectedType = algorithm === 'ES256' ? 'ec' : 'rsa'
    if (privateKey.asymmetricKeyType !== expectedType) {
      throw new InvalidOptionError(`a ${algorithm} signing key must be an ${expectedType.toUpperCase()} key`)
    }
    // Another key's public half would be published in the JWKS, and no token would verify.
    const spki = { type: 'spki', format: 'der' } as const
    if (!createPublicKey(privateKey).export(spki).equals(publicKey.export(spki))) {
      throw new InvalidOptionError('jwtPublicKey must be the public half of jwtPrivateKey')
    }
    const jwk = await exportJWK(publicKey)
    const keyId = await calculateJwkThumbprint(jwk)
    return new SigningKeys(algorithm, keyId, privateKey, publicKey, { ...jwk, kid: keyId, alg: algorithm, use: 'sig' })
  }

  static generatePem (algorithm: JwtAlgorithm): PemKeyPair {
    const pair = algorithm === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 })
    return {
      privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()
    }
  }

  /** A 256-bit key derived from the signing key, for sealing secrets at rest. */
  deriveSealingKey (purpose: string): Buffer {
    const material = this.privateKey.export({ type: 'pkcs8', format: 'der' })
    return Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), `sentryagent:${purpose}`, 32))
  }
}
