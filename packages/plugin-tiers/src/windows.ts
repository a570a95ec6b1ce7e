import { utcDay } from '@sentryagent/core'

const DAY_MS = 86_400_000

/** Start and end (ms) of the fixed window of `windowMs` that holds `now`. */
export function windowOf (now: number, windowMs: number): { index: number, endsAt: number } {
  const index = Math.floor(now / windowMs)
  return { index, endsAt: (index + 1) * windowMs }
}

// The day's text is built once a day, not once per decision.
let lastDay = { index: -1, text: '' }

/** The UTC day of `now` as YYYY-MM-DD, and when it ends. */
export function utcDayOf (now: number): { day: string, endsAt: number } {
  const { index, endsAt } = windowOf(now, DAY_MS)
  if (index !== lastDay.index) lastDay = { index, text: utcDay(new Date(index * DAY_MS)) }
  return { day: lastDay.text, endsAt }
}

/** Seconds from `now` until `until`, at least 1 (headers never say 0 while a limit holds). */
export function secondsUntil (now: number, until: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000))
}

/** A window in the short form of the 429 details: 1s, 1m, 1h, 1d, or plain seconds. */
export function formatWindow (windowMs: number): string {
  for (const [unit, ms] of [['d', DAY_MS], ['h', 3_600_000], ['m', 60_000]] as const) {
    if (windowMs % ms === 0) return `${windowMs / ms}${unit}`
  }
  return `${Math.ceil(windowMs / 1000)}s`
}

// '1 minute', '10 seconds', '2h', '500 ms' (as @fastify/rate-limit's timeWindow), or milliseconds.
const DURATION = /^(\d+)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?|d|days?)$/i
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS }

/** Milliseconds of a duration, or undefined when it isn't one. */
export function parseDuration (value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined
  if (typeof value !== 'string') return undefined
  const match = DURATION.exec(value.trim())
  if (match === null) return undefined
  const unit = match[2]!.toLowerCase()
  const ms = Number(match[1]) * UNIT_MS[unit.startsWith('ms') || unit.startsWith('milli') ? 'ms' : unit[0]!]!
  return ms > 0 ? ms : undefined
}

export { DAY_MS }
