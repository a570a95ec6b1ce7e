import { SigningKeys, type PemKeyPair } from '@sentryagent/core'

/** One signing key pair for every instance of a scenario: any instance verifies what another issued. */
export const signingKeys: PemKeyPair = SigningKeys.generatePem('ES256')

/**
 * The environment of a production instance. Every instance gets the same PUBLIC_URL (the load
 * balancer's address), as in a deployment: tokens name one issuer whichever instance signed them.
 */
export function serverEnvironment (databaseUrl: string, redisUrl: string, flags: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    JWT_PRIVATE_KEY: signingKeys.privateKey,
    JWT_PUBLIC_KEY: signingKeys.publicKey,
    PUBLIC_URL: 'http://sentryagent.test',
    LOG_LEVEL: 'info',
    ...flags
  }
}
