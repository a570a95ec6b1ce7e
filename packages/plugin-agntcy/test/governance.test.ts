import t from 'tap'
import { credentialSection, delegationSection } from '../src/controls/governance.js'
import { RequirementFactory, worstOf } from '../src/controls/requirement.js'
import type { ActiveCredential } from '../src/index.js'
import { isEd25519PublicKeyPem } from '../src/controls/dids.js'

const requirements = new RequirementFactory('2026-11-29T00:00:00.000Z')

t.test('delegation limits: live chains within the tier pass, deeper or longer ones fail', async (t) => {
  const within = delegationSection({ enabled: true, maxDepth: 5, stats: { liveLinks: 3, maxDepth: 2, maxTtlSeconds: 3600 } }, requirements)
  t.equal(within.status, 'pass')
  const beyond = delegationSection({ enabled: true, maxDepth: 2, stats: { liveLinks: 3, maxDepth: 4, maxTtlSeconds: 90_000 } }, requirements)
  t.same(beyond.requirements.map((entry) => entry.status), ['fail', 'fail'])
  t.ok(beyond.requirements.every((entry) => entry.remediation !== null))
  t.equal(delegationSection({ enabled: true, maxDepth: 2, stats: { liveLinks: 0, maxDepth: null, maxTtlSeconds: null } }, requirements).status, 'pass')
  t.equal(delegationSection({ enabled: false, maxDepth: 2, stats: undefined }, requirements).status, 'not_applicable')
})

t.test('credential rotation: credentials older than the threshold, and expired ones, are warnings', async (t) => {
  const now = new Date('2026-11-29T00:00:00Z')
  const credential = (agentId: string, ageDays: number, expiresAt: Date | null = null): ActiveCredential => ({
    credentialId: `${agentId}-c`, agentId, signingKeyId: 'k', signingPublicKey: '', createdAt: new Date(now.getTime() - ageDays * 86_400_000), expiresAt
  })
  const agents = [{ agentId: 'a', status: 'active' }, { agentId: 'b', status: 'active' }] as never
  const section = credentialSection(agents, [credential('a', 200, new Date(now.getTime() - 1)), credential('b', 10)], 90, now, requirements)
  t.same(section.requirements.map((entry) => [entry.id, entry.status]), [['credentials.rotation', 'warn'], ['credentials.expired', 'warn'], ['credentials.coverage', 'pass']])
  t.match(section.requirements[0]!.evidence, { olderThanThreshold: 1, listed: [{ agentId: 'a' }] })
})

t.test('a section is as bad as its worst requirement', async (t) => {
  t.equal(worstOf(['pass', 'not_applicable']), 'pass')
  t.equal(worstOf(['pass', 'warn', 'fail']), 'fail')
  t.equal(worstOf(['not_applicable']), 'not_applicable')
  t.equal(worstOf([]), 'not_applicable')
})

t.test('the Ed25519 key check reads the SPKI header', async (t) => {
  const { generateKeyPairSync } = await import('node:crypto')
  const pem = (type: 'ed25519' | 'x25519') => generateKeyPairSync(type as 'ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString()
  t.ok(isEd25519PublicKeyPem(pem('ed25519')))
  t.notOk(isEd25519PublicKeyPem(pem('x25519')))
  t.notOk(isEd25519PublicKeyPem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString()))
})
