import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

const IV_BYTES = 12
const TAG_BYTES = 16
export const SEALING_KEY_BYTES = 32

/**
 * AES-256-GCM sealing of small secrets (credential signing keys) at rest, under a key ring: the
 * first key seals, any of them opens (the tag tells which one sealed), so keys can be rotated.
 */
export class SecretBox {
  /** The sealing key's fingerprint, stored beside what it seals; it reveals nothing of the key. */
  readonly currentKeyId: string

  constructor (private readonly keys: readonly Buffer[]) {
    if (keys.length === 0 || keys.some((key) => key.length !== SEALING_KEY_BYTES)) throw new RangeError(`SecretBox needs ${SEALING_KEY_BYTES}-byte keys`)
    this.currentKeyId = createHash('sha256').update('sentryagent:sealing-key-id:').update(keys[0]!).digest('base64url').slice(0, 16)
  }

  seal (plaintext: Buffer, associatedData: string): Buffer {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.keys[0]!, iv)
    cipher.setAAD(Buffer.from(associatedData))
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
    return Buffer.concat([iv, cipher.getAuthTag(), body])
  }

  /** The plaintext, and whether the key that seals now sealed it; undefined when no key of the ring did. */
  open (sealed: Buffer, associatedData: string): { plaintext: Buffer, current: boolean } | undefined {
    for (const [index, key] of this.keys.entries()) {
      const plaintext = openWith(key, sealed, associatedData)
      if (plaintext !== undefined) return { plaintext, current: index === 0 }
    }
    return undefined
  }
}

function openWith (key: Buffer, sealed: Buffer, associatedData: string): Buffer | undefined {
  if (sealed.length < IV_BYTES + TAG_BYTES) return undefined
  try {
    // A fixed tag length: GCM would otherwise accept a truncated, weaker tag.
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES })
    decipher.setAAD(Buffer.from(associatedData))
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()])
  } catch {
    return undefined // sealed under another key, altered, or truncated
  }
}
