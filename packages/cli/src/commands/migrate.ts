import { buildServer, openRuntime, runningEmbeddedServer, type ServerConfig } from '@sentryagent/server'
import type { Output } from '../output.js'

/** Applies every enabled package's migrations, as a server start would, then reports the version. */
export async function migrate (config: ServerConfig, output: Output): Promise<void> {
  if (config.databaseUrl === undefined && await runningEmbeddedServer(config.dataDir) !== undefined) {
    output.out('The embedded server is running and applied its migrations at start; nothing to do.')
    return
  }
  const runtime = await openRuntime(config)
  try {
    const app = await buildServer(config, { runtime, logger: false })
    await app.ready()
    await app.close()
    const { rows } = await runtime.database.query<{ version: number, name: string }>('SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1')
    output.out(`Database schema is up to date: ${rows[0]?.name ?? 'no migrations'}`)
  } finally {
    await runtime.close()
  }
}
