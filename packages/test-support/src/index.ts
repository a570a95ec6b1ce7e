import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { Test } from 'tap'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'

export interface PublishableExpectations {
  /** Files the tarball must hold besides package.json and README.md. */
  files: string[]
  /** Every `migrations/*.sql` must be packed: a plugin applies them at registration. */
  migrations?: boolean
  /** Built files run as commands: they must start with a node shebang. */
  executables?: string[]
}

/**
 * A package as it would reach npm: publint finds nothing wrong, and `pnpm pack` holds the
 * build, the README, the manifest and what else is expected, but no sources or tests.
 */
export function checkPublishable (t: Test, packageUrl: URL, expected: PublishableExpectations): void {
  const packageDir = fileURLToPath(packageUrl)

  t.test('publint finds nothing wrong with the package', async (t) => {
    const { messages } = await publint({ pkgDir: packageDir, strict: true })
    const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as Record<string, unknown>
    t.same(messages.filter((message) => message.type !== 'suggestion').map((message) => formatMessage(message, manifest, { color: false })), [])
  })

  t.test('the tarball holds the build, the README and the manifest, not the sources or tests', async (t) => {
    const { stdout } = await promisify(execFile)('pnpm', ['pack', '--dry-run', '--json'], { cwd: packageDir })
    const packed = (JSON.parse(stdout) as { files: Array<{ path: string }> }).files.map((file) => file.path)
    for (const file of ['package.json', 'README.md', ...expected.files]) t.ok(packed.includes(file), `${file} is packed`)
    if (expected.migrations === true) {
      const migrations = (await readdir(join(packageDir, 'migrations'))).filter((file) => file.endsWith('.sql'))
      t.ok(migrations.length > 0, 'the package has migrations')
      for (const migration of migrations) t.ok(packed.includes(`migrations/${migration}`), `migrations/${migration} is packed`)
    }
    for (const executable of expected.executables ?? []) {
      t.match(await readFile(join(packageDir, executable), 'utf8'), /^#!\/usr\/bin\/env node\n/, `${executable} runs with node`)
    }
    t.same(packed.filter((file) => /^(src|test|scripts|\.tap|coverage)\//.test(file) || (file.endsWith('.ts') && !file.endsWith('.d.ts'))), [], 'no sources, tests or scripts')
  })
}

function requiredEnv (name: string): string {
  const value = process.env[name]
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set: run the tests through \`pnpm test\` at the repository root (or \`node scripts/with-services.mjs\`), which starts PostgreSQL and Redis`)
  }
  return value
}

/** The throwaway PostgreSQL and Redis that the test command starts (or the ones it was given). */
export const databaseUrl = (): string => requiredEnv('DATABASE_URL')
export const redisUrl = (): string => requiredEnv('REDIS_URL')
export { freePort, freePorts, sleep, ThrowawayRedis, waitFor } from './local-services.js'
