/** UTC calendar days as `YYYY-MM-DD`, the only date form analytics speaks. */
const DAY_MS = 86_400_000
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/

/** The day number since 1970-01-01, or undefined when `day` is not a real calendar day. */
export function dayNumber (day: string): number | undefined {
  if (!DAY_PATTERN.test(day)) return undefined
  const time = Date.parse(`${day}T00:00:00Z`)
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== day) return undefined
  return time / DAY_MS
}

export function dayFromNumber (number: number): string {
  return new Date(number * DAY_MS).toISOString().slice(0, 10)
}

export function addDays (day: string, days: number): string {
  return dayFromNumber(dayNumber(day)! + days)
}

/** Every day from `from` to `to`, both included. */
export function daysBetween (from: string, to: string): string[] {
  const days: string[] = []
  for (let n = dayNumber(from)!, last = dayNumber(to)!; n <= last; n++) days.push(dayFromNumber(n))
  return days
}
