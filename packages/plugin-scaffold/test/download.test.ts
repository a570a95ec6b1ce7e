import t from 'tap'
import { LANGUAGES, RUST_SDK_VERSION } from '../src/index.js'
import { PREFIX, buildApp, createTenant, readZip, scaffoldUrl } from './helpers.js'

const API_URL = 'https://idp.example.com'

t.test('every language: one root folder, the agent filled in, no secret, scripts executable', async (t) => {
  const app = await buildApp(t, {}, { publicUrl: API_URL })
  const tenant = await createTenant(app, 'Report.Writer+v2')
  for (const language of LANGUAGES) {
    const response = await app.inject({ method: 'GET', url: scaffoldUrl(tenant.agent.agentId, language), headers: { authorization: tenant.authorization } })
    t.equal(response.statusCode, 200, language)
    const root = `sentryagent-scaffold-report-writer-v2-${language}`
    t.equal(response.headers['content-type'], 'application/zip')
    t.equal(response.headers['content-disposition'], `attachment; filename="${root}.zip"`)
    t.equal(response.headers['cache-control'], 'no-store')

    const entries = await readZip(response.rawPayload)
    t.ok(entries.every((entry) => entry.name === `${root}/` || entry.name.startsWith(`${root}/`)), `${language}: one root folder`)
    const files = new Map(entries.filter((entry) => !entry.directory).map((entry) => [entry.name.slice(root.length + 1), entry]))
    t.same(files.get('.env.example')?.content.split('\n').filter((line) => line.startsWith('AGENTIDP_')), [
      `AGENTIDP_API_URL=${API_URL}`,
      `AGENTIDP_CLIENT_ID=${tenant.agent.agentId}`,
      'AGENTIDP_CLIENT_SECRET=<your-client-secret>'
    ], `${language}: .env.example`)
    t.equal(files.get('.gitignore')?.content.split('\n')[0], '.env', `${language}: .gitignore starts with .env`)
    t.match(files.get('README.md')?.content, /## Run it in three steps\n\n1\. `cp \.env\.example \.env`/, `${language}: README`)
    t.equal(files.get('run.sh')?.mode, 0o755, `${language}: run.sh is executable`)
    for (const [path, file] of files) {
      t.equal(file.mode, file.content.startsWith('#!') ? 0o755 : 0o644, `${language}: ${path} mode`)
      t.notMatch(file.content, /\{\{[A-Z_]+\}\}/, `${language}: ${path} has no placeholder left`)
      for (const secret of tenant.secrets) t.notOk(file.content.includes(secret), `${language}: no secret in ${path}`)
    }
    const mainProgram = [...files.entries()].find(([path]) => /^(src\/)?(main\.(ts|py|go|rs)|main\/java\/Main\.java)$/.test(path))
    t.match(mainProgram?.[1].content, `"${tenant.agent.agentId}"`, `${language}: the main program reads this agent`)
    t.match(mainProgram?.[1].content, `"${PREFIX}"`, `${language}: under the API prefix`)
  }
})

t.test('the Rust starter depends on the published SDK version', async (t) => {
  const app = await buildApp(t)
  const tenant = await createTenant(app)
  const response = await app.inject({ method: 'GET', url: scaffoldUrl(tenant.agent.agentId, 'rust'), headers: { authorization: tenant.authorization } })
  const cargo = (await readZip(response.rawPayload)).find((entry) => entry.name.endsWith('/Cargo.toml'))
  t.match(cargo?.content, `sentryagent-idp = "${RUST_SDK_VERSION}"`)
})

t.test('TypeScript is the default language and the API URL defaults to core\'s public URL', async (t) => {
  const app = await buildApp(t, {}, { publicUrl: 'http://localhost:4321' })
  const tenant = await createTenant(app, 'default-lang')
  const response = await app.inject({ method: 'GET', url: scaffoldUrl(tenant.agent.agentId), headers: { authorization: tenant.authorization } })
  t.match(response.headers['content-disposition'], /-default-lang-typescript\.zip"$/)
  const env = (await readZip(response.rawPayload)).find((entry) => entry.name.endsWith('/.env.example'))
  t.match(env?.content, 'AGENTIDP_API_URL=http://localhost:4321\n')
})

t.test('the apiUrl option overrides the public URL', async (t) => {
  const app = await buildApp(t, { apiUrl: 'https://api.example.org/' })
  const tenant = await createTenant(app)
  const response = await app.inject({ method: 'GET', url: scaffoldUrl(tenant.agent.agentId, 'go'), headers: { authorization: tenant.authorization } })
  const env = (await readZip(response.rawPayload)).find((entry) => entry.name.endsWith('/.env.example'))
  t.match(env?.content, 'AGENTIDP_API_URL=https://api.example.org\n')
})

t.test('a download is audited and counted', async (t) => {
  const app = await buildApp(t)
  const tenant = await createTenant(app)
  const response = await app.inject({ method: 'GET', url: scaffoldUrl(tenant.agent.agentId, 'python'), headers: { authorization: tenant.authorization } })
  t.equal(response.statusCode, 200)
  await app.sentryagent.audit.flush()
  const { events } = await app.sentryagent.audit.list(tenant.organizationId, { page: 1, limit: 50, action: 'scaffold.downloaded' })
  t.match(events.find((event) => event.action === 'scaffold.downloaded'), { details: { scaffoldAgentId: tenant.agent.agentId, language: 'python' } })
  const metrics = await app.sentryagent.metrics.metrics()
  t.match(metrics, /agentidp_scaffold_downloads_total\{language="python"\} 1/)
  t.match(metrics, /agentidp_scaffold_generation_seconds_count\{language="python"\} 1/)
})
