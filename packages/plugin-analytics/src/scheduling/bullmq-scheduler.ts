import { Queue, QueueEvents, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { FastifyBaseLogger } from 'fastify'
import type { AggregationScheduler, JobSchedule } from './schedule.js'

const SCHEDULER_ID = 'analytics-daily-aggregation'
const JOB_NAME = 'aggregate-usage'

/**
 * Production scheduling: one BullMQ job scheduler shared by every instance (so each firing
 * makes one job, processed by one worker), retried with exponential backoff. A job left
 * pending while no worker ran is processed when one comes back, and its run catches up.
 */
export class BullMqAggregationScheduler implements AggregationScheduler {
  readonly #connection: Redis
  readonly #queue: Queue
  #worker: Worker | undefined
  #events: { queueEvents: QueueEvents, connection: Redis } | undefined

  constructor (redis: Redis, private readonly queueName: string, private readonly schedule: JobSchedule,
    private readonly handler: () => Promise<unknown>, private readonly log: FastifyBaseLogger) {
    // BullMQ blocks on its connection: it must retry forever rather than fail commands.
    this.#connection = redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: false })
    this.#connection.on('error', () => {}) // ioredis reconnects; failed jobs are retried
    this.#queue = new Queue(queueName, { connection: this.#connection })
  }

  async start (): Promise<void> {
    await this.#queue.upsertJobScheduler(SCHEDULER_ID, { pattern: this.schedule.pattern, tz: 'UTC' }, {
      name: JOB_NAME,
      opts: this.#jobOptions()
    })
    this.#worker = new Worker(this.queueName, async () => this.handler(), { connection: this.#connection, concurrency: 1 })
    this.#worker.on('failed', (job, error) => {
      this.log.warn({ err: error, attempt: job?.attemptsMade }, 'analytics aggregation failed; BullMQ retries it with backoff')
    })
    this.#worker.on('error', () => {})
  }

  async runNow (): Promise<void> {
    if (this.#events === undefined) {
      // QueueEvents blocks on its own connection.
      const connection = this.#connection.duplicate()
      connection.on('error', () => {})
      this.#events = { queueEvents: new QueueEvents(this.queueName, { connection }), connection }
    }
    await this.#events.queueEvents.waitUntilReady()
    const job = await this.#queue.add(JOB_NAME, {}, this.#jobOptions())
    await job.waitUntilFinished(this.#events.queueEvents)
  }

  async close (): Promise<void> {
    await this.#worker?.close()
    await this.#events?.queueEvents.close()
    await this.#queue.close()
    // Neither the Queue, the Worker nor QueueEvents closes a connection it was given.
    for (const connection of [this.#events?.connection, this.#connection]) {
      await connection?.quit().catch(() => { connection.disconnect() })
    }
  }

  #jobOptions () {
    return {
      attempts: this.schedule.attempts,
      backoff: { type: 'exponential' as const, delay: this.schedule.backoffMs },
      removeOnComplete: { count: 30 },
      removeOnFail: { count: 100 }
    }
  }

  /** The scheduler as BullMQ stored it (for operators and tests). */
  async describe (): Promise<{ pattern?: string | null, tz?: string | null, next?: number } | undefined> {
    return this.#queue.getJobScheduler(SCHEDULER_ID)
  }
}
