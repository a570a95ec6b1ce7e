import t from 'tap'
import { TIERS, tierDefinition } from '../src/index.js'
import { adminSession, buildApp, eventually } from './helpers.js'

t.test('the tier map holds the published starting values', async (t) => {
  t.same(TIERS.map((tier) => tier.id), ['free', 'pro', 'enterprise'])
  t.match(tierDefinition('free'), { price: { monthly: 0 }, limits: { registeredAgents: 10, apiCallsPerDay: 1000, tokenIssuancesPerDay: 200, rateLimitPerMinute: 60, rateLimitBurst: 10, auditLogRetentionDays: 30, maxDelegationDepth: 2 } })
  t.match(tierDefinition('pro'), { price: { monthly: 49 }, limits: { registeredAgents: 100, apiCallsPerDay: 50000, tokenIssuancesPerDay: 10000, rateLimitPerMinute: 600, rateLimitBurst: 100, auditLogRetentionDays: 90, maxDelegationDepth: 5 } })
  t.match(tierDefinition('enterprise'), { price: { monthly: null }, limits: { registeredAgents: null, rateLimitPerMinute: 6000, rateLimitBurst: 1000, auditLogRetentionDays: 365, maxDelegationDepth: 10 } })
  t.ok(Object.isFrozen(TIERS) && Object.isFrozen(TIERS[0]), 'nobody can change a limit at run time')
})

t.test('a tier change reaches every instance at once and is audited', async (t) => {
  const first = await buildApp()
  const second = await buildApp()
  t.teardown(async () => { await first.close(); await second.close() })
  const { organizationId, authorization } = await adminSession(first)
  t.equal(await first.sentryagent.tiers.tierOf(organizationId), 'free')
  t.equal(await second.sentryagent.tiers.tierOf(organizationId), 'free', 'both instances now hold it in memory')

  await first.sentryagent.organizations.changeTier(organizationId, 'pro', { source: 'test' })
  t.equal(await first.sentryagent.tiers.tierOf(organizationId), 'pro')
  t.ok(await eventually(async () => await second.sentryagent.tiers.tierOf(organizationId) === 'pro'), 'the other instance dropped its copy')
  t.equal((await second.sentryagent.tiers.definitionOf(organizationId)).limits.maxDelegationDepth, 5)

  const audit = await first.inject({ url: '/api/v1/audit?action=subscription.tier_changed', headers: { authorization } })
  t.match(audit.json().data[0], { details: { from: 'free', to: 'pro', source: 'test' } })
})

t.test('unknown organizations have no tier', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const unknown = '00000000-0000-4000-8000-000000000000'
  await t.rejects(app.sentryagent.tiers.tierOf(unknown), { code: 'ORGANIZATION_NOT_FOUND' })
  await t.rejects(app.sentryagent.organizations.changeTier(unknown, 'pro'), { code: 'ORGANIZATION_NOT_FOUND' })
})
