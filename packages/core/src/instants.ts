import { ValidationError } from './errors.js'

// RFC 3339 date-times (the schemas' `date-time`) include instants PostgreSQL's timestamptz refuses:
// year 0, offsets past ±15:59, second 60. Instants read from a request go through here first.
const EARLIEST = Date.parse('0001-01-01T00:00:00Z')
const LATEST = Date.parse('9999-12-31T23:59:59.999Z')

/** The instant a request's `date-time` names, clamped to the years PostgreSQL stores; 400 when it names none. */
export function requestInstant (name: string, text: string): Date {
  const time = Date.parse(text)
  if (Number.isNaN(time)) throw new ValidationError(`${name} is not a date-time PostgreSQL can store`)
  return new Date(Math.min(Math.max(time, EARLIEST), LATEST))
}
