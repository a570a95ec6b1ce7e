import { EventEmitter } from 'node:events'
import type { KeyValueStore } from './key-value-store.js'
import { systemClock, type Clock } from '../clock.js'

interface Entry { value: string, expiresAt: number }

/** In-process store for the single-instance embedded mode. */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly #entries = new Map<string, Entry>()
  readonly #channels = new EventEmitter()

  constructor (private readonly clock: Clock = systemClock) {}

  async get (key: string): Promise<string | null> {
    return this.#read(key)
  }

  async getMany (keys: string[]): Promise<Array<string | null>> {
    return keys.map((key) => this.#read(key))
  }

  async set (key: string, value: string, ttlSeconds?: number): Promise<void> {
    const expiresAt = ttlSeconds === undefined ? Number.POSITIVE_INFINITY : this.clock.now().getTime() + ttlSeconds * 1000
    this.#entries.set(key, { value, expiresAt })
  }

  async delete (key: string): Promise<void> {
    this.#entries.delete(key)
  }

  async increment (key: string, by: number, ttlSeconds: number): Promise<number> {
    const current = this.#read(key)
    const next = Number(current ?? 0) + by
    if (current === null) await this.set(key, String(next), ttlSeconds)
    else this.#entries.get(key)!.value = String(next)
    return next
  }

  async publish (channel: string, message: string): Promise<void> {
    this.#channels.emit(channel, message)
  }

  async subscribe (channel: string, listener: (message: string) => void): Promise<void> {
    this.#channels.on(channel, listener)
  }

  // In-process broadcasts can't be missed.
  readonly listening = true

  onListeningResumed (): void {}

  async ping (): Promise<void> {}

  async close (): Promise<void> {
    this.#channels.removeAllListeners()
    this.#entries.clear()
  }

  #read (key: string): string | null {
    const entry = this.#entries.get(key)
    if (entry === undefined) return null
    if (entry.expiresAt <= this.clock.now().getTime()) {
      this.#entries.delete(key)
      return null
    }
    return entry.value
  }
}
