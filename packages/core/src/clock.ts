export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** The UTC calendar day of an instant, as `YYYY-MM-DD`. */
export function utcDay (instant: Date): string {
  return instant.toISOString().slice(0, 10)
}
