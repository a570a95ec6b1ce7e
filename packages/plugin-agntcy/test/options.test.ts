import t from 'tap'
import Fastify from 'fastify'
import agntcyPlugin, { DEFAULTS } from '../src/index.js'
import { resolveOptions } from '../src/options.js'
import { buildApp } from './helpers.js'

t.test('defaults', async (t) => {
  const resolved = resolveOptions({})
  t.match(resolved, { signCards: DEFAULTS.signCards, cardMaxAgeSeconds: 300, credentialRotationDays: 90, signingKeyCreatedAt: undefined })
})

t.test('invalid options throw a coded error at registration', async (t) => {
  const invalid: Array<Record<string, unknown>> = [
    { signCards: 'yes' }, { cardMaxAgeSeconds: 0 }, { cardMaxAgeSeconds: 1.5 }, { providerName: '' },
    { credentialRotationDays: -1 }, { signingKeyRotationDays: 'x' }, { signingKeyCreatedAt: 'not a date' }
  ]
  for (const options of invalid) {
    t.throws(() => resolveOptions(options), { code: 'SENTRYAGENT_AGNTCY_INVALID_OPTION' }, JSON.stringify(options))
  }
  await t.rejects(buildApp(t, { cardMaxAgeSeconds: -5 }), { code: 'SENTRYAGENT_AGNTCY_INVALID_OPTION' })
})

t.test('registering without core is a coded error', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(agntcyPlugin) }, { code: 'SENTRYAGENT_AGNTCY_MISSING_CORE' })
})
