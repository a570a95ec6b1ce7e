import { Queue, QueueEvents, Worker } from 'bullmq'
import { Cluster, type Redis } from 'ioredis'
import type { FastifyBaseLogger } from 'fastify'
import type { AggregationScheduler, JobSchedule } from './schedule.js'

const SCHEDULER_ID = 'analytics-daily-aggregation'
const JOB_NAME = 'aggregate-usage'
// How long a close may wait for BullMQ to finish with a reachable Redis (a running job ends).
const CLOSE_TIMEOUT_MS = 5_000
// How long a close asks whether Redis still answers before closing without it.
const PING_TIMEOUT_MS = 1_000
// BullMQ's scripts touch several keys of a queue at once: on a Redis Cluster they must share a
// slot, which a hash tag in the prefix gives. Always used, so that one Redis and a cluster hold
// the same keys (the tag costs nothing on one Redis): `{sentryagent}:<queueName>:*`.
export const QUEUE_PREFIX = '{sentryagent}'

/** A connection BullMQ may block on: it retries forever rather than fail commands. */
function patientCopy (redis: Redis | Cluster): Redis | Cluster {
  return redis instanceof Cluster
    ? redis.duplicate([], { enableOfflineQueue: true, lazyConnect: false, redisOptions: { maxRetriesPerRequest: null } })
    : redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: false })
}

/** Resolves after `ms` without holding the process open. */
const pause = async (ms: number): Promise<void> => new Promise((resolve) => { setTimeout(resolve, ms).unref() })

/**
 * Production scheduling: one BullMQ job scheduler shared by every instance (so each firing
 * makes one job, processed by one worker), retried with exponential backoff. A job left
 * pending while no worker ran is processed when one comes back, and its run catches up.
 */
export class BullMqAggregationScheduler implements AggregationScheduler {
  readonly #connection: Redis | Cluster
  readonly #queue: Queue
  #worker: Worker | undefined
  #events: { queueEvents: QueueEvents, connection: Redis | Cluster } | undefined

  constructor (redis: Redis | Cluster, private readonly queueName: string, private readonly schedule: JobSchedule,
    private readonly handler: () => Promise<unknown>, private readonly log: FastifyBaseLogger) {
    this.#connection = patientCopy(redis)
    this.#connection.on('error', () => {}) // ioredis reconnects; failed jobs are retried
    this.#queue = new Queue(queueName, { connection: this.#connection, prefix: QUEUE_PREFIX })
    // Without a listener BullMQ prints each connection error to stderr, outside the logger.
    this.#queue.on('error', (error) => { this.log.debug({ err: error }, 'analytics queue: Redis unavailable') })
  }

  async start (): Promise<void> {
    await this.#queue.upsertJobScheduler(SCHEDULER_ID, { pattern: this.schedule.pattern, tz: 'UTC' }, {
      name: JOB_NAME,
      opts: this.#jobOptions()
    })
    // drainDelay: an idle worker blocks on Redis this many seconds at a time, and a graceful close
    // waits for that call: 1 s (not BullMQ's 5) keeps the close well inside CLOSE_TIMEOUT_MS.
    this.#worker = new Worker(this.queueName, async () => this.handler(), { connection: this.#connection, prefix: QUEUE_PREFIX, concurrency: 1, drainDelay: 1 })
    this.#worker.on('failed', (job, error) => {
      this.log.warn({ err: error, attempt: job?.attemptsMade }, 'analytics aggregation failed; BullMQ retries it with backoff')
    })
    this.#worker.on('error', () => {})
  }

  async runNow (): Promise<void> {
    if (this.#events === undefined) {
      // QueueEvents blocks on its own connection.
      const connection = patientCopy(this.#connection)
      connection.on('error', () => {})
      const queueEvents = new QueueEvents(this.queueName, { connection, prefix: QUEUE_PREFIX })
      queueEvents.on('error', () => {})
      this.#events = { queueEvents, connection }
    }
    await this.#events.queueEvents.waitUntilReady()
    const job = await this.#queue.add(JOB_NAME, {}, this.#jobOptions())
    await job.waitUntilFinished(this.#events.queueEvents)
  }

  /**
   * Closes within a bounded time: with Redis gone BullMQ would wait for it forever, and the
   * app's later onClose work (core's usage flush) would never run. Past the limit (at once when
   * Redis doesn't answer) the connections are cut; an interrupted job is retried elsewhere.
   */
  async close (): Promise<void> {
    const connections = [this.#events?.connection, this.#connection].filter((c) => c !== undefined)
    if (await this.#answering()) {
      const graceful = this.#closeGracefully(connections)
      if (await Promise.race([graceful.then(() => true), pause(CLOSE_TIMEOUT_MS).then(() => false)])) return
      graceful.catch(() => {})
    } else {
      // A graceful close would wait for the worker's loop, which waits for Redis; forced, the
      // worker stops its lock timers at once, and its own blocking connection is cut below.
      this.#worker?.close(true).catch(() => {})
    }
    void Promise.allSettled([this.#worker?.disconnect(), this.#events?.queueEvents.disconnect()])
    for (const connection of connections) connection.disconnect()
    this.log.warn('analytics scheduler closed without Redis; an interrupted job is retried by another worker')
  }

  /** Whether Redis answers now: a connection just cut may still say 'ready' for a moment. */
  async #answering (): Promise<boolean> {
    if (this.#connection.status !== 'ready') return false
    return Promise.race([this.#connection.ping().then(() => true, () => false), pause(PING_TIMEOUT_MS).then(() => false)])
  }

  async #closeGracefully (connections: Array<Redis | Cluster>): Promise<void> {
    await this.#worker?.close()
    await this.#events?.queueEvents.close()
    await this.#queue.close()
    // Neither the Queue, the Worker nor QueueEvents closes a connection it was given.
    for (const connection of connections) await connection.quit().catch(() => { connection.disconnect() })
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
