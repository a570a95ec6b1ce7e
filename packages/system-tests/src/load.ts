import { sleep } from './processes.js'

export interface LoadRequest {
  /** A base URL such as http://127.0.0.1:4000 (one instance). */
  target: string
  method: string
  path: string
  headers?: Record<string, string>
  body?: string
  /** Groups outcomes for the checks (e.g. 'read', 'write'). */
  tag: string
}

export interface Outcome {
  tag: string
  target: string
  /** 0 when no HTTP answer came (connection refused or reset, timeout). */
  status: number
  retryAfter: string | null
  body: string
  startedAt: number
  endedAt: number
  error?: string
}

export interface LoadOptions {
  concurrency: number
  /** Stop issuing after this many requests… */
  requests?: number
  /** …or after this long, whichever comes first. */
  durationMs?: number
  /** A request that takes longer is a hang: it is aborted and reported with status 0. */
  timeoutMs?: number
  /** Paces the requests to at most this many per second (a fixed-rate client), when set. */
  ratePerSecond?: number
}

/** Sends one request and records what came back; never throws. */
export async function send (request: LoadRequest, timeoutMs = 10_000): Promise<Outcome> {
  const startedAt = performance.now()
  try {
    const response = await fetch(`${request.target}${request.path}`, {
      method: request.method,
      headers: request.headers ?? {},
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: AbortSignal.timeout(timeoutMs)
    })
    const body = await response.text()
    return { tag: request.tag, target: request.target, status: response.status, retryAfter: response.headers.get('retry-after'), body, startedAt, endedAt: performance.now() }
  } catch (error) {
    return { tag: request.tag, target: request.target, status: 0, retryAfter: null, body: '', startedAt, endedAt: performance.now(), error: String((error as Error).cause ?? error) }
  }
}

/**
 * Bounded-concurrency load: `concurrency` loops each take the next request from `next(i)`
 * (round-robin over instances is the caller's choice) until the count or the time is up.
 */
export async function runLoad (next: (index: number) => LoadRequest, options: LoadOptions): Promise<Outcome[]> {
  const outcomes: Outcome[] = []
  const deadline = performance.now() + (options.durationMs ?? Number.POSITIVE_INFINITY)
  const limit = options.requests ?? Number.POSITIVE_INFINITY
  const begin = performance.now()
  const interval = options.ratePerSecond === undefined ? 0 : 1000 / options.ratePerSecond
  let issued = 0
  const loop = async (): Promise<void> => {
    while (issued < limit && performance.now() < deadline) {
      const index = issued++
      const wait = begin + index * interval - performance.now()
      if (wait > 0) await sleep(wait)
      outcomes.push(await send(next(index), options.timeoutMs))
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, loop))
  return outcomes
}

/** How many outcomes had each status, e.g. { 200: 180, 503: 12 }. */
export function statusCounts (outcomes: Outcome[]): Record<number, number> {
  const counts: Record<number, number> = {}
  for (const { status } of outcomes) counts[status] = (counts[status] ?? 0) + 1
  return counts
}

export const isSuccess = (outcome: Outcome): boolean => outcome.status >= 200 && outcome.status < 300

/** Percentile of the latencies in ms (p in 0–100). */
export function percentile (outcomes: Outcome[], p: number): number {
  const sorted = outcomes.map((outcome) => outcome.endedAt - outcome.startedAt).sort((a, b) => a - b)
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}
