import { InvalidOptionError } from './errors.js'

export interface AgntcyOptions {
  /** Sign every card with the instance's token-signing key (a JWS in `signatures`, verifiable with the JWKS). */
  signCards?: boolean
  /** `max-age` of a public card, in seconds (tenant-scoped cards are always revalidated). */
  cardMaxAgeSeconds?: number
  /** `provider.organization` on every card. */
  providerName?: string
  /** A credential older than this many days is flagged for rotation. */
  credentialRotationDays?: number
  /** The token-signing key is flagged once older than this many days. */
  signingKeyRotationDays?: number
  /** When the token-signing key was created (ISO 8601); without it the key's age is reported as unknown. */
  signingKeyCreatedAt?: string
}

export interface ResolvedAgntcyOptions {
  signCards: boolean
  cardMaxAgeSeconds: number
  providerName: string
  credentialRotationDays: number
  signingKeyRotationDays: number
  signingKeyCreatedAt: Date | undefined
}

export const DEFAULTS = Object.freeze({
  signCards: true,
  cardMaxAgeSeconds: 300,
  providerName: 'SentryAgent',
  credentialRotationDays: 90,
  signingKeyRotationDays: 180
})

function positiveInteger (name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new InvalidOptionError(`${name} must be a positive integer`)
  return value
}

export function resolveOptions (options: AgntcyOptions): ResolvedAgntcyOptions {
  const merged = { ...DEFAULTS, ...options }
  if (typeof merged.signCards !== 'boolean') throw new InvalidOptionError('signCards must be a boolean')
  if (typeof merged.providerName !== 'string' || merged.providerName.length === 0) throw new InvalidOptionError('providerName must be a non-empty string')
  let signingKeyCreatedAt: Date | undefined
  if (merged.signingKeyCreatedAt !== undefined) {
    signingKeyCreatedAt = new Date(merged.signingKeyCreatedAt)
    if (Number.isNaN(signingKeyCreatedAt.getTime())) throw new InvalidOptionError('signingKeyCreatedAt must be an ISO 8601 date')
  }
  return {
    signCards: merged.signCards,
    cardMaxAgeSeconds: positiveInteger('cardMaxAgeSeconds', merged.cardMaxAgeSeconds),
    providerName: merged.providerName,
    credentialRotationDays: positiveInteger('credentialRotationDays', merged.credentialRotationDays),
    signingKeyRotationDays: positiveInteger('signingKeyRotationDays', merged.signingKeyRotationDays),
    signingKeyCreatedAt
  }
}
