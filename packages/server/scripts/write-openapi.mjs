// Regenerates the committed openapi.json from the routes' schemas (embedded database in a
// temp dir, every feature enabled). The server's drift test fails until this is re-run.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildServer, readConfig } from '../dist/index.js'

const dataDir = await mkdtemp(join(tmpdir(), 'sentryagent-openapi-'))
try {
  const app = await buildServer(readConfig({ SENTRYAGENT_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }))
  await app.ready()
  const spec = app.swagger()
  await app.close()
  await writeFile(new URL('../../../openapi.json', import.meta.url), `${JSON.stringify(spec, null, 2)}\n`)
  process.stdout.write('openapi.json written\n')
} finally {
  await rm(dataDir, { recursive: true, force: true })
}
