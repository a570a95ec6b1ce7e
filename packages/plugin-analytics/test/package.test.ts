import t from 'tap'
import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'

const packageDir = fileURLToPath(new URL('..', import.meta.url))

t.test('publint finds nothing wrong with the package', async (t) => {
  const { messages } = await publint({ pkgDir: packageDir, strict: true })
  const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, unknown>
  t.same(messages.filter((message) => message.type !== 'suggestion').map((message) => formatMessage(message, manifest, { color: false })), [])
})

t.test('the tarball holds the build, the migration, the dashboard, the README and the manifest, not the sources or tests', async (t) => {
  const { stdout } = await promisify(execFile)('pnpm', ['pack', '--dry-run', '--json'], { cwd: packageDir })
  const files = (JSON.parse(stdout) as { files: Array<{ path: string }> }).files.map((file) => file.path)
  for (const expected of ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'assets/dashboard/index.html', 'assets/dashboard/dashboard.js', 'assets/dashboard/charts.js', 'assets/dashboard/dashboard.css']) {
    t.ok(files.includes(expected), `${expected} is packed`)
  }
  // The plugin applies them at registration: a package without them can't start.
  const migrations = (await readdir(new URL('../migrations', import.meta.url))).filter((file) => file.endsWith('.sql'))
  t.same(migrations, ['009_add_analytics_aggregates.sql'])
  for (const migration of migrations) t.ok(files.includes(`migrations/${migration}`), `migrations/${migration} is packed`)
  t.same(files.filter((file) => /^(src|test|\.tap|coverage)\//.test(file) || (file.endsWith('.ts') && !file.endsWith('.d.ts'))), [], 'no sources or tests')
})
