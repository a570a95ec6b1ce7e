import { randomBytes } from 'node:crypto'
import t from 'tap'
import { SecretBox } from '../src/crypto/secret-box.js'
import { SigningKeys } from '../src/index.js'
import { testKeys } from './helpers.js'

t.test('seal and open round-trip, with a fresh nonce each time', async (t) => {
  const box = new SecretBox([randomBytes(32)])
  const plaintext = Buffer.from('an ed25519 private key')

  const first = box.seal(plaintext, 'credential-1')
  const second = box.seal(plaintext, 'credential-1')
  t.notSame(first, second, 'two seals of one secret differ')
  t.notOk(first.includes(plaintext), 'the plaintext is not in the sealed bytes')
  t.equal(first.length, 12 + 16 + plaintext.length, 'nonce, tag, ciphertext')
  t.same(box.open(first, 'credential-1'), { plaintext, current: true })
  t.same(box.open(second, 'credential-1'), { plaintext, current: true })
})

t.test('opening fails with other associated data, another key, or altered or truncated bytes', async (t) => {
  const key = randomBytes(32)
  const sealed = new SecretBox([key]).seal(Buffer.from('secret'), 'credential-1')

  t.equal(new SecretBox([key]).open(sealed, 'credential-2'), undefined, 'bound to its credential')
  t.equal(new SecretBox([randomBytes(32)]).open(sealed, 'credential-1'), undefined, 'bound to its key')
  for (const index of [0, 12, sealed.length - 1]) {
    const altered = Buffer.from(sealed)
    altered[index] = altered[index]! ^ 0x01
    t.equal(new SecretBox([key]).open(altered, 'credential-1'), undefined, `byte ${index} altered`)
  }
  t.equal(new SecretBox([key]).open(sealed.subarray(0, 20), 'credential-1'), undefined, 'truncated')
})

t.test('a key ring: the first key seals, any opens, and the result says whether the first sealed it', async (t) => {
  const [older, newer] = [randomBytes(32), randomBytes(32)]
  const plaintext = Buffer.from('secret')
  const sealedBefore = new SecretBox([older]).seal(plaintext, 'credential-1')
  const ring = new SecretBox([newer, older])
  t.same(ring.open(sealedBefore, 'credential-1'), { plaintext, current: false })
  const sealedNow = ring.seal(plaintext, 'credential-1')
  t.same(new SecretBox([newer]).open(sealedNow, 'credential-1'), { plaintext, current: true }, 'sealed under the first key')
  t.equal(new SecretBox([older]).open(sealedNow, 'credential-1'), undefined)
  t.throws(() => new SecretBox([]), RangeError)
  t.throws(() => new SecretBox([randomBytes(16)]), RangeError)
})

t.test('the sealing key is derived from the signing key, per purpose', async (t) => {
  const keys = await SigningKeys.fromPem(testKeys, 'ES256')
  const same = await SigningKeys.fromPem(testKeys, 'ES256')
  const other = await SigningKeys.fromPem(SigningKeys.generatePem('ES256'), 'ES256')

  const sealingKey = keys.deriveSealingKey('credential-signing-keys')
  t.equal(sealingKey.length, 32)
  t.same(same.deriveSealingKey('credential-signing-keys'), sealingKey, 'stable across restarts')
  t.notSame(keys.deriveSealingKey('another-purpose'), sealingKey)
  t.notSame(other.deriveSealingKey('credential-signing-keys'), sealingKey)
})
