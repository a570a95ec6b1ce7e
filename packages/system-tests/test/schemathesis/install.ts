import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const SCHEMATHESIS_VERSION = '4.32.5'

// Under node_modules (ignored by git, kept between local runs): one virtualenv per pinned version.
const VENV = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.cache', `schemathesis-${SCHEMATHESIS_VERSION}`)
const CLI = join(VENV, 'bin', 'schemathesis')

function run (command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  if (result.error !== undefined || result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stderr}${result.stdout}`)
  }
}

/**
 * The path of the schemathesis CLI, installed by pip into its own virtualenv on first use.
 * Needs python3 with venv (Debian: apt-get install -y python3-venv): without it this throws, so
 * the test fails instead of passing unrun.
 */
export function schemathesisCli (): string {
  if (existsSync(CLI)) return CLI
  run('python3', ['-m', 'venv', VENV])
  run(join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`])
  return CLI
}
