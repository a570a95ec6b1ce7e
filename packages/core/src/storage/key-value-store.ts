/**
 * The slice of Redis the platform relies on: short-lived keys shared by every instance,
 * and a broadcast channel. Production uses Redis; the embedded mode an in-process map.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | null>
  /** Values of several keys in one round trip, in the order asked. */
  getMany(keys: string[]): Promise<Array<string | null>>
  set(key: string, value: string, ttlSeconds?: number): Promise<void>
  delete(key: string): Promise<void>
  /** Adds `by` to an integer key and returns the new value; the key expires after `ttlSeconds` from its creation. */
  increment(key: string, by: number, ttlSeconds: number): Promise<number>
  publish(channel: string, message: string): Promise<void>
  subscribe(channel: string, listener: (message: string) => void): Promise<void>
  /**
   * Whether broadcasts are heard right now. While false (the connection is down) messages
   * can be missed: a cache kept fresh by them must read through instead of answering.
   */
  readonly listening: boolean
  /** Runs `listener` each time listening resumes after an outage; what was broadcast meanwhile is lost. */
  onListeningResumed(listener: () => void): void
  ping(): Promise<void>
  close(): Promise<void>
}
