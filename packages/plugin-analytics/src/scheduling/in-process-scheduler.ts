import type { FastifyBaseLogger } from 'fastify'
import type { Clock } from '@sentryagent/core'
import { nextDailyRun, retryDelay, type AggregationScheduler, type JobSchedule } from './schedule.js'

/**
 * Embedded mode (one process, no Redis): the same job handler on a timer, with the same
 * schedule and retries as the BullMQ job. Nothing else runs it, so it runs once.
 */
export class InProcessAggregationScheduler implements AggregationScheduler {
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #closed = false

  constructor (private readonly schedule: JobSchedule, private readonly handler: () => Promise<unknown>,
    private readonly clock: Clock, private readonly log: FastifyBaseLogger) {}

  async start (): Promise<void> {
    this.#arm(nextDailyRun(this.schedule.pattern, this.clock.now()).getTime() - this.clock.now().getTime(), 1)
  }

  async runNow (): Promise<void> {
    await this.#attempt(1, true)
  }

  async close (): Promise<void> {
    this.#closed = true
    clearTimeout(this.#timer)
    await this.#running
  }

  #arm (delayMs: number, attempt: number): void {
    if (this.#closed) return
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => { this.#running = this.#attempt(attempt, false) }, delayMs)
    this.#timer.unref()
  }

  async #attempt (attempt: number, rethrow: boolean): Promise<void> {
    try {
      await this.handler()
      if (!rethrow) await this.start()
    } catch (error) {
      if (attempt >= this.schedule.attempts) {
        this.log.error({ err: error, attempt }, 'analytics aggregation failed for good; the next scheduled run catches up')
        if (rethrow) throw error
        await this.start()
        return
      }
      this.log.warn({ err: error, attempt }, 'analytics aggregation failed; retrying with backoff')
      if (rethrow) {
        await new Promise((resolve) => setTimeout(resolve, retryDelay(this.schedule, attempt)))
        return this.#attempt(attempt + 1, true)
      }
      this.#arm(retryDelay(this.schedule, attempt), attempt + 1)
    }
  }
}
