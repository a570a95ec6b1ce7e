import type { Registry } from 'prom-client'
import type { CredentialKeys } from '../crypto/credential-keys.js'
import type { CredentialRepository } from '../repositories/credential-repository.js'
import { gauge } from '../metrics.js'

const PAGE = 500
const FIRST_ID = '00000000-0000-0000-0000-000000000000'

export interface UpkeepResult { resealed: number, unreadable: number }

/**
 * Keeps every active credential's signing key sealed under the current sealing key: after a
 * rotation, what an older key of the ring sealed is sealed again, and what no key opens is
 * counted (`agentidp_credential_signing_keys_unreadable`), so that dropping a key too early shows.
 */
export class SealedKeyUpkeep {
  readonly #unreadable
  #stopped = false

  constructor (
    private readonly credentials: CredentialRepository,
    private readonly keys: CredentialKeys,
    registry: Registry
  ) {
    this.#unreadable = gauge(registry, 'credential_signing_keys_unreadable',
      'Active credentials whose signing key no sealing key of this instance opens, at the last check')
  }

  async run (): Promise<UpkeepResult> {
    const result = { resealed: 0, unreadable: 0 }
    let after = FIRST_ID
    while (!this.#stopped) {
      const page = await this.credentials.listSealedElsewhere(this.keys.sealingKeyId, after, PAGE)
      for (const { credentialId, sealedSigningKey } of page) {
        const outcome = this.keys.reseal(credentialId, sealedSigningKey)
        if (outcome.state === 'unknown-key') {
          result.unreadable++
          continue
        }
        // Sealed under the current key already (before the key was recorded): only recorded now.
        const sealed = outcome.state === 'resealed' ? outcome.sealedPrivateKey : sealedSigningKey
        if (await this.credentials.replaceSealed(credentialId, sealedSigningKey, sealed, this.keys.sealingKeyId) && outcome.state === 'resealed') result.resealed++
      }
      if (page.length < PAGE) {
        this.#unreadable.set(result.unreadable)
        break
      }
      after = page[page.length - 1]!.credentialId
    }
    return result
  }

  /** Ends a run in progress after its current page (the app is closing). */
  stop (): void {
    this.#stopped = true
  }
}
