import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const SECRET_PREFIX = 'sk_live_'

/** A new client secret: 256 bits of entropy, shown to the caller once. */
export function generateClientSecret (): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url')
}

/**
 * SHA-256 is enough for a 256-bit random secret (nothing to brute-force), and a slow
 * password hash would cap the token endpoint at a few dozen requests per second.
 */
export function digestClientSecret (secret: string): Buffer {
  return createHash('sha256').update(secret).digest()
}

export function clientSecretMatches (secret: string, digest: Buffer): boolean {
  const candidate = digestClientSecret(secret)
  return candidate.length === digest.length && timingSafeEqual(candidate, digest)
}
