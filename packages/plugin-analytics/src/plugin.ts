import { fileURLToPath } from 'node:url'
import type { FastifyPluginAsync } from 'fastify'
import { coreMigrationsDirectory, loadMigrations, runMigrations, sentryErrorHandler, tierDefinition } from '@sentryagent/core'
import { resolveOptions, type AnalyticsOptions } from './options.js'
import { AnalyticsRepository } from './repository.js'
import { AnalyticsAggregator } from './aggregator.js'
import { AnalyticsService, type HistoryLimit } from './service.js'
import { BullMqAggregationScheduler } from './scheduling/bullmq-scheduler.js'
import { InProcessAggregationScheduler } from './scheduling/in-process-scheduler.js'
import type { AggregationScheduler } from './scheduling/schedule.js'
import { analyticsRoutes } from './routes/analytics.js'
import { dashboardRoutes } from './routes/dashboard.js'

export const analyticsMigrationsDirectory = fileURLToPath(new URL('../migrations', import.meta.url))

/** What the plugin shares with the host (the CLI's backfill, tests, operators). */
export interface SentryAgentAnalytics {
  aggregator: AnalyticsAggregator
  service: AnalyticsService
  /** Undefined when the plugin was registered with `schedule: false`. */
  scheduler: AggregationScheduler | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    analytics: SentryAgentAnalytics
  }
  interface FastifySchema {
    /** Read by @fastify/swagger: the dashboard's routes stay out of the API document. */
    hide?: boolean
  }
}

export const analyticsPlugin: FastifyPluginAsync<AnalyticsOptions> = async (fastify, rawOptions) => {
  const options = resolveOptions(rawOptions)
  const core = fastify.sentryagent
  if (options.migrate) await runMigrations(core.db, await loadMigrations([coreMigrationsDirectory, analyticsMigrationsDirectory]))

  const repository = new AnalyticsRepository(core.db)
  const aggregator = new AnalyticsAggregator(repository, core.clock, core.metrics)
  const history: HistoryLimit = {
    historyDaysOf: async (tenantId) => {
      try {
        return (await core.tiers.definitionOf(tenantId)).limits.analyticsHistoryDays
      } catch (error) {
        // The tier cache lives in Redis: when it is away, read the tier from PostgreSQL.
        const tier = await repository.tierOf(tenantId)
        if (tier === undefined) throw error
        return tierDefinition(tier).limits.analyticsHistoryDays
      }
    }
  }
  const service = new AnalyticsService(repository, core.store, history, core.agents, core.clock, core.metrics, options.cacheTtlSeconds)

  let scheduler: AggregationScheduler | undefined
  if (options.schedule) {
    const schedule = { pattern: options.cron, attempts: options.attempts, backoffMs: options.backoffMs }
    const handler = async (): Promise<unknown> => aggregator.run()
    scheduler = options.redis === undefined
      ? new InProcessAggregationScheduler(schedule, handler, core.clock, fastify.log)
      : new BullMqAggregationScheduler(options.redis, options.queueName, schedule, handler, fastify.log)
    const started = scheduler
    fastify.addHook('onReady', async () => { await started.start() })
    fastify.addHook('onClose', async () => { await started.close() })
  }
  fastify.decorate('analytics', { aggregator, service, scheduler })

  await fastify.register(async (routes) => {
    routes.setErrorHandler(sentryErrorHandler)
    await routes.register(analyticsRoutes, { prefix: options.prefix, service })
    if (options.dashboard) await routes.register(dashboardRoutes, { apiPrefix: options.prefix })
  })
}
