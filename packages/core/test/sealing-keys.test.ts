import { randomBytes } from 'node:crypto'
import t from 'tap'
import { SigningKeys, type CoreOptions } from '../src/index.js'
import { SecretBox } from '../src/crypto/secret-box.js'
import { adminSession, buildApp, createAgent, createPool, eventually, LogCapture, scratchDatabase } from './helpers.js'

const newKey = (): string => randomBytes(32).toString('base64')

t.test('sealing keys rotate (sealed again once the app is ready); with one configured, the token-signing key can change and credentials still sign', async (t) => {
  const scratch = await scratchDatabase()
  t.teardown(scratch.drop)
  const pool = createPool(scratch.url)
  t.teardown(() => pool.end())
  const sealedOf = async (credentialId: string): Promise<Buffer> =>
    (await pool.query<{ sealed: Buffer }>('SELECT signing_private_key_sealed AS sealed FROM credentials WHERE credential_id = $1', [credentialId])).rows[0]!.sealed
  const opensUnder = (key: string, sealed: Buffer, credentialId: string): boolean => new SecretBox([Buffer.from(key, 'base64')]).open(sealed, credentialId) !== undefined
  // Each start is another deployment on the same database.
  const start = async (options: Partial<CoreOptions>, logs?: LogCapture) =>
    buildApp(options, { databaseUrl: scratch.url, ...(logs === undefined ? {} : { server: { logger: { level: 'info', stream: logs } } }) })

  const byDefault = await start({})
  const { authorization, organizationId } = await adminSession(byDefault)
  const agent = await createAgent(byDefault, authorization)
  const underDerivedKey = await sealedOf(agent.credentialId)
  await byDefault.close()

  const [first, second] = [newKey(), newKey()]
  // As if sealed before the sealing key was recorded.
  await pool.query('UPDATE credentials SET sealing_key_id = NULL')
  // Rolled out first as a key that only opens, so that no instance meets a key it lacks.
  await (await start({ sealingKeys: ['jwt-derived', first] })).close()
  t.same(await sealedOf(agent.credentialId), underDerivedKey, 'the derived key still seals: nothing sealed again')
  const { rows: recorded } = await pool.query<{ id: string | null }>('SELECT DISTINCT sealing_key_id AS id FROM credentials')
  t.equal(recorded.length, 1)
  t.type(recorded[0]!.id, 'string', 'but which key sealed it is recorded now')

  const configuring = new LogCapture()
  await (await start({ sealingKeys: [first] }, configuring)).close()
  const underFirst = await sealedOf(agent.credentialId)
  t.notSame(underFirst, underDerivedKey, 'sealed again at start')
  t.ok(opensUnder(first, underFirst, agent.credentialId), 'under the configured key')
  t.ok(configuring.entries().some((entry) => entry.resealed === 2), 'the admin\'s and the agent\'s credentials, logged')

  const otherTokenKey = SigningKeys.generatePem('ES256')
  await (await start({ sealingKeys: [first, second], signingKeys: otherTokenKey })).close()
  t.same(await sealedOf(agent.credentialId), underFirst, 'a key added after the first changes nothing')
  const rotating = await start({ sealingKeys: [second, first], signingKeys: otherTokenKey })
  t.equal((await rotating.sentryagent.credentials.signingKeyOf(organizationId, agent.agentId))?.credentialId, agent.credentialId,
    'another token-signing key: the credential still signs')
  await rotating.close()
  t.ok(opensUnder(second, await sealedOf(agent.credentialId), agent.credentialId), 'sealed again under the new first key')

  const rotated = await start({ sealingKeys: [second], signingKeys: otherTokenKey })
  t.equal((await rotated.sentryagent.credentials.signingKeyOf(organizationId, agent.agentId))?.credentialId, agent.credentialId, 'the old key can go')
  await rotated.close()

  const beforeWrongRing = await sealedOf(agent.credentialId)
  const missing = new LogCapture()
  const wrong = await start({ sealingKeys: [newKey()], signingKeys: otherTokenKey }, missing)
  t.teardown(() => wrong.close())
  t.ok(await eventually(() => missing.entries().some((entry) => entry.level === 50 && entry.unreadable === 2)), 'a ring without the key: logged at start')
  t.match(await wrong.sentryagent.metrics.getSingleMetricAsString('agentidp_credential_signing_keys_unreadable'), /unreadable 2$/m, 'and counted')
  await t.rejects(wrong.sentryagent.credentials.signingKeyOf(organizationId, agent.agentId), { code: 'SENTRYAGENT_CORE_SEALING_KEY_UNKNOWN' })
  t.same(await sealedOf(agent.credentialId), beforeWrongRing, 'and nothing is overwritten')
})

t.test('sealing keys must be 32 bytes in base64, or the derived key\'s name', async (t) => {
  for (const sealingKeys of [['not base64!'], [randomBytes(16).toString('base64')], [newKey(), ''], ['jwt']]) {
    await t.rejects(buildApp({ sealingKeys }), { code: 'SENTRYAGENT_CORE_INVALID_OPTION', message: /sealingKeys/ }, JSON.stringify(sealingKeys))
  }
})
