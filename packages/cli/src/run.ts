import { parseArgs } from 'node:util'
import { readConfig, ConfigError } from '@sentryagent/server'
import { orgCreate } from './commands/org-create.js'
import { migrate } from './commands/migrate.js'
import { analyticsAggregate } from './commands/analytics-aggregate.js'
import { UsageError, type Output } from './output.js'

export const HELP = `sentryagent — SentryAgent command line

Usage:
  sentryagent <command> [options]

Operator commands (work on the database: DATABASE_URL, or the embedded one in ./.sentryagent):
  org create --name <name> [--tier free|pro|enterprise] [--json]
                      Create an organization and its admin agent (holds every platform scope).
                      Prints the admin's client id and secret once.
  migrate             Apply pending database migrations.
  analytics aggregate --from YYYY-MM-DD --to YYYY-MM-DD [--json]
                      Roll the usage events of every UTC day in the range up into the daily
                      analytics aggregates again (backfill; re-running a day changes nothing).
                      With the embedded database, stop the embedded server first.

Options:
  -h, --help          Show this help.
  -v, --version       Show the version.

Environment:
  DATABASE_URL        PostgreSQL to use (unset: the embedded database).
  JWT_PRIVATE_KEY, JWT_PUBLIC_KEY
                      The server's signing keys (needed with DATABASE_URL).

Examples:
  sentryagent org create --name "Acme" --tier pro --json
  sentryagent analytics aggregate --from 2026-03-01 --to 2026-03-31
  DATABASE_URL=postgres://localhost/sentryagent sentryagent migrate
`

/** Runs one command line; answers the process exit code. */
export async function run (argv: string[], output: Output, env: Record<string, string | undefined> = process.env, version = '0.0.0'): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        name: { type: 'string' },
        tier: { type: 'string' },
        json: { type: 'boolean' },
        from: { type: 'string' },
        to: { type: 'string' }
      }
    })
    const command = positionals.join(' ')
    if (values.version === true) {
      output.out(version)
      return 0
    }
    if (values.help === true || command === '' || command === 'help') {
      output.out(HELP)
      return 0
    }
    switch (command) {
      case 'org create':
        await orgCreate(readConfig(env), { name: values.name, tier: values.tier, json: values.json === true }, output)
        return 0
      case 'migrate':
        await migrate(readConfig(env), output)
        return 0
      case 'analytics aggregate':
        await analyticsAggregate(readConfig(env), { from: values.from, to: values.to, json: values.json === true }, output)
        return 0
      default:
        throw new UsageError(`Unknown command: ${command}`)
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true) {
      output.err(`${(error as Error).message}\nRun \`sentryagent --help\` for usage.`)
      return 2
    }
    output.err(error instanceof ConfigError ? error.message : `Error: ${(error as Error).message}`)
    return 1
  }
}
