import { createHash, createPublicKey, sign, verify } from 'node:crypto'
import t from 'tap'
import { adminSession, buildApp, createAgent, createPool } from './helpers.js'

t.test('a client secret is stored only as its SHA-256 digest', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const pool = createPool()
  t.teardown(() => pool.end())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)

  const { rows } = await pool.query('SELECT * FROM credentials WHERE credential_id = $1', [agent.credentialId])
  t.equal(rows.length, 1)
  const row = rows[0] as Record<string, unknown>
  t.same(row.secret_digest, createHash('sha256').update(agent.clientSecret).digest())
  const secretBytes = Buffer.from(agent.clientSecret)
  const randomPart = Buffer.from(agent.clientSecret.slice('sk_live_'.length), 'base64url')
  for (const [column, value] of Object.entries(row)) {
    const bytes = Buffer.isBuffer(value) ? value : Buffer.from(String(value instanceof Date ? value.toISOString() : value))
    t.notOk(bytes.includes(secretBytes), `${column} does not hold the secret`)
    t.notOk(bytes.includes(randomPart), `${column} does not hold the secret's random bytes`)
    t.notOk(bytes.toString('utf8').includes(agent.clientSecret.slice(8, 24)), `${column} does not hold a piece of it`)
  }
})

t.test('the sealed Ed25519 key opens with the server key and matches the published public key', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const pool = createPool()
  t.teardown(() => pool.end())
  const { authorization } = await adminSession(app)
  const agent = await createAgent(app, authorization)

  const { rows: [row] } = await pool.query<{ signing_public_key: string, signing_private_key_sealed: Buffer, signing_key_id: string }>(
    'SELECT signing_public_key, signing_private_key_sealed, signing_key_id FROM credentials WHERE credential_id = $1', [agent.credentialId])
  const privateKey = app.sentryagent.credentialKeys.open(agent.credentialId, row!.signing_private_key_sealed)
  t.equal(privateKey.asymmetricKeyType, 'ed25519')
  const publicKey = createPublicKey(row!.signing_public_key)
  t.same(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }), publicKey.export({ type: 'spki', format: 'der' }))
  const message = Buffer.from('delegation payload')
  t.ok(verify(null, message, publicKey, sign(null, message, privateKey)), 'signs verifiably')
  t.notOk(row!.signing_private_key_sealed.includes(privateKey.export({ type: 'pkcs8', format: 'der' }).subarray(-32)), 'the raw private key is not stored')

  t.throws(() => app.sentryagent.credentialKeys.open(agent.agentId, row!.signing_private_key_sealed), { code: 'SENTRYAGENT_CORE_SEALING_KEY_UNKNOWN' }, 'sealed to its credential id')
})
