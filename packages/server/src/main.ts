#!/usr/bin/env node
import { readConfig, ConfigError } from './config.js'
import { buildServer } from './server.js'
import { DataDirectoryInUseError } from './data-dir-lock.js'

// How long in-flight requests get to finish (and usage to flush) on SIGTERM.
const SHUTDOWN_GRACE_MS = 10_000
// After this long, connections still open are cut: the HTTP server's close waits for every
// connection it does not count as idle (a client's keep-alive socket can stay so), and usage and
// audit are flushed only after it, so one such socket would lose every count to the grace exit.
const DRAIN_MS = 5_000

async function main (): Promise<void> {
  const config = readConfig()
  const app = await buildServer(config)
  let closing = false
  const shutdown = (signal: string): void => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    setTimeout(() => {
      app.log.error({ graceMs: SHUTDOWN_GRACE_MS }, 'shutdown did not finish in time: exiting without it')
      process.exit(1)
    }, SHUTDOWN_GRACE_MS).unref()
    setTimeout(() => { app.server.closeAllConnections() }, DRAIN_MS).unref()
    app.close().then(() => process.exit(0), (error: unknown) => {
      // Say why: usage counts or audit events may not have been written.
      app.log.error({ err: error }, 'shutdown failed')
      process.exit(1)
    })
  }
  process.on('SIGTERM', () => { shutdown('SIGTERM') })
  process.on('SIGINT', () => { shutdown('SIGINT') })

  await app.listen({ port: config.port, host: config.host })
  const embedded = config.databaseUrl === undefined
  console.log([
    '',
    `SentryAgent is running at ${config.publicUrl}${embedded ? ` (embedded database in ${config.dataDir}/)` : ''}`,
    `  API explorer:  ${config.publicUrl}/docs`,
    `  Health:        ${config.publicUrl}/health`,
    '  Create your first organization (in another terminal):',
    '    pnpm sentryagent org create --name "My Org" --tier free --json',
    ''
  ].join('\n'))
}

main().catch((error: unknown) => {
  // Problems of the setup speak for themselves; anything else gets its stack.
  console.error(error instanceof ConfigError || error instanceof DataDirectoryInUseError ? error.message : error)
  process.exit(1)
})
