import { parseArgs } from 'node:util'
import { readConfig, ConfigError } from '@sentryagent/server'
import { orgCreate } from './commands/org-create.js'
import { migrate } from './commands/migrate.js'
import { analyticsAggregate } from './commands/analytics-aggregate.js'
import { token } from './commands/token.js'
import { agentsCreate, agentsGet, agentsList } from './commands/agents.js'
import { scaffold, LANGUAGES } from './commands/scaffold.js'
import { ApiClient } from './api/api-client.js'
import { resolveConnection } from './api/connection.js'
import { CliError, EXIT } from './exit-codes.js'
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

Developer commands (over HTTP, as an agent: AGENTIDP_CLIENT_ID / AGENTIDP_CLIENT_SECRET):
  scaffold --agent-id <id> [--language ${LANGUAGES.join('|')}] [--out <dir>] [--force]
                      Download the agent's starter project and unpack it (default: into a new
                      folder named after the project). Refuses a non-empty directory without
                      --force, and any archive entry that would land outside it.
  token               Print an access token (with --json: the whole token response).
  agents list [--page N] [--limit N] [--status active|suspended|decommissioned]
  agents get <agent-id>
  agents create --email <email> [--capabilities a:b,c:d] [--agent-type custom] [--agent-version 1.0.0]
                [--owner <owner>] [--deployment-env development|staging|production] [--credential]
                      Register an agent; --credential also issues its first client secret (shown once).

Options:
  --json              Machine-readable output on stdout (errors as JSON on stderr).
  --api-url <url>     Server root (default: AGENTIDP_API_URL, else the embedded server running
                      here, else http://127.0.0.1:3000).
  --client-id <id>, --client-secret <secret>
                      Credentials (default: AGENTIDP_CLIENT_ID, AGENTIDP_CLIENT_SECRET).
  -h, --help          Show this help.
  -v, --version       Show the version.

Environment:
  DATABASE_URL        PostgreSQL to use (unset: the embedded database).
  JWT_PRIVATE_KEY, JWT_PUBLIC_KEY
                      The server's signing keys (needed with DATABASE_URL).
  CREDENTIAL_SEALING_KEYS
                      The server's keys sealing credentials' signing keys (see docs/deploy.md).
  AGENTIDP_API_URL, AGENTIDP_CLIENT_ID, AGENTIDP_CLIENT_SECRET
                      The server and credentials of the developer commands.

Exit codes:
  0 success   1 failure   2 usage error   3 server unreachable   4 bad credentials (401)
  5 missing scope (403)   6 not found (404)   7 rate limited (429)   8 unsafe archive refused
  9 output directory not empty (use --force)

Examples:
  sentryagent org create --name "Acme" --tier pro --json
  sentryagent analytics aggregate --from 2026-03-01 --to 2026-03-31
  DATABASE_URL=postgres://localhost/sentryagent sentryagent migrate
  sentryagent scaffold --agent-id 3f1c… --language python --out ./my-agent
  curl -H "Authorization: Bearer $(sentryagent token)" http://127.0.0.1:3000/api/v1/agents
`

const CONNECTION_OPTIONS = ['api-url', 'client-id', 'client-secret']

// Options each command accepts (beside --help, --version and --json): any other is a usage error.
const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  'org create': ['name', 'tier'],
  migrate: [],
  'analytics aggregate': ['from', 'to'],
  scaffold: [...CONNECTION_OPTIONS, 'agent-id', 'language', 'out', 'force'],
  token: CONNECTION_OPTIONS,
  'agents list': [...CONNECTION_OPTIONS, 'page', 'limit', 'status'],
  'agents get': [...CONNECTION_OPTIONS, 'agent-id'],
  'agents create': [...CONNECTION_OPTIONS, 'email', 'capabilities', 'agent-type', 'agent-version', 'owner', 'deployment-env', 'credential']
}
const GLOBAL_OPTIONS = ['help', 'version', 'json']

/** Runs one command line; answers the process exit code. */
export async function run (argv: string[], output: Output, env: Record<string, string | undefined> = process.env, version = '0.0.0'): Promise<number> {
  // Known before parsing, so that a command line that does not parse is still answered in JSON.
  let json = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : undefined).includes('--json')
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
        to: { type: 'string' },
        'api-url': { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        'agent-id': { type: 'string' },
        language: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        page: { type: 'string' },
        limit: { type: 'string' },
        status: { type: 'string' },
        email: { type: 'string' },
        capabilities: { type: 'string' },
        'agent-type': { type: 'string' },
        'agent-version': { type: 'string' },
        owner: { type: 'string' },
        'deployment-env': { type: 'string' },
        credential: { type: 'boolean' }
      }
    })
    json = values.json === true
    // `agents get <id>`: the id is an argument, not part of the command.
    const command = positionals.slice(0, positionals[0] === 'agents' && positionals[1] === 'get' ? 2 : undefined).join(' ')
    const client = async (): Promise<ApiClient> => new ApiClient(await resolveConnection({ apiUrl: values['api-url'], clientId: values['client-id'], clientSecret: values['client-secret'] }, env))
    if (values.version === true) {
      output.out(version)
      return 0
    }
    if (values.help === true || command === '' || command === 'help') {
      output.out(HELP)
      return 0
    }
    const accepted = COMMAND_OPTIONS[command]
    if (accepted === undefined) throw new UsageError(`Unknown command: ${command}`)
    const foreign = Object.keys(values).find((option) => !GLOBAL_OPTIONS.includes(option) && !accepted.includes(option))
    if (foreign !== undefined) throw new UsageError(`${command} does not take --${foreign}`)
    switch (command) {
      case 'org create':
        await orgCreate(readConfig(env), { name: values.name, tier: values.tier, json }, output)
        return 0
      case 'migrate':
        await migrate(readConfig(env), output)
        return 0
      case 'analytics aggregate':
        await analyticsAggregate(readConfig(env), { from: values.from, to: values.to, json }, output)
        return 0
      case 'scaffold':
        await scaffold(await client(), { agentId: values['agent-id'], language: values.language, out: values.out, force: values.force === true, json }, output)
        return 0
      case 'token':
        await token(await client(), json, output)
        return 0
      case 'agents list':
        await agentsList(await client(), { page: values.page, limit: values.limit, status: values.status, json }, output)
        return 0
      case 'agents get':
        await agentsGet(await client(), positionals[2] ?? values['agent-id'], json, output)
        return 0
      case 'agents create':
        await agentsCreate(await client(), {
          email: values.email,
          agentType: values['agent-type'],
          agentVersion: values['agent-version'],
          capabilities: values.capabilities,
          owner: values.owner,
          deploymentEnv: values['deployment-env'],
          credential: values.credential === true,
          json
        }, output)
        return 0
    }
    throw new UsageError(`Unknown command: ${command}`)
  } catch (error) {
    return reportFailure(error, json, output)
  }
}

/** Prints why a command failed (as JSON with --json) and answers its exit code. */
function reportFailure (error: unknown, json: boolean, output: Output): number {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true
  const exitCode = usage ? EXIT.USAGE : error instanceof CliError ? error.exitCode : EXIT.FAILURE
  const message = (error as Error).message
  if (json) {
    const code = usage ? 'USAGE' : error instanceof CliError ? error.code : 'FAILED'
    output.err(JSON.stringify({ error: { code, message, exitCode } }))
  } else if (usage) {
    output.err(`${message}\nRun \`sentryagent --help\` for usage.`)
  } else {
    output.err(error instanceof ConfigError || error instanceof CliError ? message : `Error: ${message}`)
  }
  return exitCode
}
