import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import scaffoldPlugin, { DEFAULTS, templatesDirectory } from '../src/index.js'
import { buildApp } from './helpers.js'

t.test('invalid options throw a coded error at registration', async (t) => {
  for (const options of [{ downloadsPerMinute: 0 }, { downloadsPerMinute: 2.5 }, { apiUrl: 'ftp://idp.example.com' }, { apiUrl: 'https://idp.example.com/api' }, { apiUrl: 'not a url' }, { templatesDirectory: 42 as unknown as string }]) {
    const app = Fastify()
    t.teardown(() => app.close())
    app.decorate('sentryagent', {} as never)
    await t.rejects(async () => { await app.register(scaffoldPlugin, options).ready() }, { code: 'SENTRYAGENT_SCAFFOLD_INVALID_OPTION' }, JSON.stringify(options))
  }
  t.same(DEFAULTS, { downloadsPerMinute: 10 })
})

t.test('the plugin needs core registered first', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(scaffoldPlugin).ready() }, { code: 'SENTRYAGENT_SCAFFOLD_MISSING_CORE' })
})

async function templatesCopy (t: Test): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'scaffold-templates-'))
  t.teardown(() => rm(directory, { recursive: true, force: true }))
  await cp(templatesDirectory, directory, { recursive: true })
  return directory
}

t.test('templates missing a language are refused at registration', async (t) => {
  const directory = await templatesCopy(t)
  await rm(join(directory, 'java'), { recursive: true })
  await t.rejects(buildApp(t, { templatesDirectory: directory }), { code: 'SENTRYAGENT_SCAFFOLD_TEMPLATE', message: /no templates for java/ })
})

t.test('a template with an unknown placeholder is refused at registration, not served half-filled', async (t) => {
  const directory = await templatesCopy(t)
  await writeFile(join(directory, 'go', 'notes.txt'), 'Ask {{SOMEONE}}\n')
  await t.rejects(buildApp(t, { templatesDirectory: directory }), { code: 'SENTRYAGENT_SCAFFOLD_TEMPLATE', message: /unknown placeholder \{\{SOMEONE\}\}/ })
})
