/** When and how the aggregation job runs, shared by the BullMQ and the in-process scheduler. */
export interface JobSchedule {
  /** A daily cron pattern `M H * * *`, in UTC. */
  pattern: string
  attempts: number
  /** The first retry waits this long, each next one twice as long. */
  backoffMs: number
}

export interface AggregationScheduler {
  start(): Promise<void>
  /** Runs the job once now, outside the schedule (with the same retries). */
  runNow(): Promise<void>
  close(): Promise<void>
}

export const DAILY_PATTERN = /^([0-5]?\d) ([01]?\d|2[0-3]) \* \* \*$/

/** The next instant a daily `M H * * *` pattern fires, strictly after `after`. */
export function nextDailyRun (pattern: string, after: Date): Date {
  const [, minute, hour] = DAILY_PATTERN.exec(pattern)!
  const next = new Date(Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), after.getUTCDate(), Number(hour), Number(minute)))
  if (next <= after) next.setUTCDate(next.getUTCDate() + 1)
  return next
}

/** Exponential backoff as BullMQ computes it: backoffMs × 2^(attempt − 1). */
export function retryDelay (schedule: JobSchedule, attempt: number): number {
  return schedule.backoffMs * 2 ** (attempt - 1)
}
