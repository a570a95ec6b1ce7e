import { buildServer, openRuntime, runningEmbeddedServer, type ServerConfig } from '@sentryagent/server'
import { dayNumber, type AggregationRun } from '@sentryagent/plugin-analytics'
import { UsageError, type Output } from '../output.js'

// Ten years of days: anything longer is a typo, not a backfill.
const MAX_DAYS = 3660

export interface AnalyticsAggregateArgs { from: string | undefined, to: string | undefined, json: boolean }

/** Backfill: rolls every day of the range up into analytics_daily_aggregates again. */
export async function analyticsAggregate (config: ServerConfig, args: AnalyticsAggregateArgs, output: Output): Promise<void> {
  const from = dayNumber(args.from ?? '')
  const to = dayNumber(args.to ?? '')
  if (from === undefined || to === undefined) throw new UsageError('--from and --to are required, as UTC days YYYY-MM-DD')
  if (from > to) throw new UsageError('--from must not be after --to')
  if (to - from + 1 > MAX_DAYS) throw new UsageError(`at most ${MAX_DAYS} days at a time`)
  if (!config.features.analytics) throw new UsageError('analytics is disabled (ANALYTICS_ENABLED=false)')
  // PGlite serves one process: the running embedded server owns the database.
  if (config.databaseUrl === undefined && await runningEmbeddedServer(config.dataDir) !== undefined) {
    throw new Error('The embedded server is running and holds the embedded database: stop it, then run this again')
  }

  const run = await aggregateDirectly(config, args.from!, args.to!)
  if (args.json) {
    output.out(JSON.stringify({ from: args.from, to: args.to, days: run.days.length, rows: run.rows }))
    return
  }
  output.out(`Aggregated ${run.days.length} day(s), ${args.from} to ${args.to}: ${run.rows} aggregate row(s) written.`)
}

async function aggregateDirectly (config: ServerConfig, from: string, to: string): Promise<AggregationRun> {
  const runtime = await openRuntime(config)
  try {
    const app = await buildServer(config, { runtime, logger: false })
    try {
      await app.ready()
      return await app.analytics.aggregator.aggregateRange(from, to)
    } finally {
      await app.close()
    }
  } finally {
    await runtime.close()
  }
}
