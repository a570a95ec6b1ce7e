import { LRUCache } from 'lru-cache'

/**
 * What was learned from compact JWS tokens (a verified principal, decoded claims), most recent
 * first. Looked up by the signature segment, then confirmed against the whole token: a map
 * hashes its whole key on every lookup, which for a fresh 2 KB token costs about 3 µs here,
 * against 0.3 µs for its signature and 0.15 µs for the comparison.
 */
export class TokenCache<V> {
  readonly #entries: LRUCache<string, { token: string, value: V }>

  constructor (max: number) {
    this.#entries = new LRUCache({ max })
  }

  get (token: string): V | undefined {
    const entry = this.#entries.get(signatureOf(token))
    return entry?.token === token ? entry.value : undefined
  }

  set (token: string, value: V): void {
    this.#entries.set(signatureOf(token), { token, value })
  }

  delete (token: string): void {
    const signature = signatureOf(token)
    if (this.#entries.peek(signature)?.token === token) this.#entries.delete(signature)
  }
}

const signatureOf = (token: string): string => token.slice(token.lastIndexOf('.') + 1)
