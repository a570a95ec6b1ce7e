import t from 'tap'
import { ManualClock, accessToken, adminSession, buildApp } from './helpers.js'

t.test('events older than the retention are deleted and the remaining chain still verifies', async (t) => {
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'))
  const app = await buildApp({ clock })
  t.teardown(() => app.close())
  const { authorization, organizationId, clientId, clientSecret } = await adminSession(app)
  const before = await app.inject({ url: '/api/v1/audit', headers: { authorization } })
  const oldEvents = before.json().total as number
  t.ok(oldEvents >= 2, 'organization and token events were recorded on day one')

  clock.advance(40 * 86_400)
  await app.sentryagent.audit.record({ organizationId, agentId: null, action: 'test.recent' })
  const deleted = await app.sentryagent.audit.purgeOlderThan(30)
  t.ok(deleted >= oldEvents, 'the day-one events are gone')

  // The day-one token has expired by now.
  const fresh = { authorization: `Bearer ${await accessToken(app, clientId, clientSecret)}` }
  const after = await app.inject({ url: '/api/v1/audit', headers: fresh })
  t.same(after.json().data.map((event: { action: string }) => event.action), ['token.issued', 'test.recent'])
  const verified = await app.inject({ url: '/api/v1/audit/verify', headers: fresh })
  t.match(verified.json(), { valid: true, eventsChecked: 2 })
})

t.test('a retention setting sweeps expired events when the app starts', async (t) => {
  const clock = new ManualClock(new Date('2025-06-01T00:00:00Z'))
  const first = await buildApp({ clock })
  const { organizationId } = await adminSession(first)
  await first.close()

  clock.advance(400 * 86_400)
  const app = await buildApp({ clock, auditRetentionDays: 365 })
  t.teardown(() => app.close())
  const gone = async (): Promise<boolean> => (await app.sentryagent.audit.list(organizationId, { page: 1, limit: 10 })).total === 0
  const deadline = Date.now() + 5000
  while (!(await gone()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  t.ok(await gone(), 'the year-old events of that organization were deleted')
})

t.test('auditRetentionDays must be a positive integer', async (t) => {
  await t.rejects(buildApp({ auditRetentionDays: 0 }), { code: 'SENTRYAGENT_CORE_INVALID_OPTION' })
})
