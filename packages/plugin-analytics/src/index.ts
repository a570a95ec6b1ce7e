import fp from 'fastify-plugin'
import { analyticsPlugin } from './plugin.js'

export default fp(analyticsPlugin, { fastify: '5.x', name: '@sentryagent/plugin-analytics', dependencies: ['@sentryagent/core'] })
export { analyticsPlugin, analyticsMigrationsDirectory, type SentryAgentAnalytics } from './plugin.js'
export { DEFAULTS, type AnalyticsOptions } from './options.js'
export * from './errors.js'
export { AnalyticsAggregator, type AggregationRun } from './aggregator.js'
export { dayNumber } from './dates.js'
export { AnalyticsService, type HistoryLimit, type AgentLookup } from './service.js'
export { AnalyticsRepository } from './repository.js'
export type { AggregationScheduler, JobSchedule } from './scheduling/schedule.js'
export { UsageSummary, AgentActivity, TokenTrends, AnalyticsRangeQuery, AgentActivityQuery } from './schemas.js'
