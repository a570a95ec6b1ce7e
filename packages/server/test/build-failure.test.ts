import t from 'tap'
import { SigningKeys } from '@sentryagent/core'
import { buildServer, openRuntime, readConfig } from '../src/index.js'
import { tempDir } from './helpers.js'

t.test('a server that fails to build lets go of what it opened', async (t) => {
  const dataDir = await tempDir(t, 'sentryagent-build-failure-')
  const [mine, another] = [SigningKeys.generatePem('ES256'), SigningKeys.generatePem('ES256')]
  const mismatched = readConfig({ SENTRYAGENT_DATA_DIR: dataDir, LOG_LEVEL: 'silent', JWT_PRIVATE_KEY: mine.privateKey, JWT_PUBLIC_KEY: another.publicKey })
  await t.rejects(buildServer(mismatched), { code: 'SENTRYAGENT_CORE_INVALID_OPTION' })

  // Still held, the embedded database would refuse this (and the process could not exit).
  const runtime = await openRuntime(readConfig({ SENTRYAGENT_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }))
  t.equal(runtime.mode, 'embedded')
  await runtime.close()
})
