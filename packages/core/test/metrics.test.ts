import t from 'tap'
import { Registry } from 'prom-client'
import { adminSession, agentBody, buildApp } from './helpers.js'

async function value (registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name)
  const sample = (metric?.values ?? []).find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
  return Number(sample?.value ?? 0)
}

t.test('services count into the app\'s registry under the agentidp_ prefix', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  await app.inject({ url: '/api/v1/agents', headers: { authorization: 'Bearer x.y.z' } })
  const { agentId } = (await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody() })).json()
  await app.inject({ method: 'DELETE', url: `/api/v1/agents/${agentId}`, headers: { authorization } })

  const registry = app.sentryagent.metrics
  t.equal(await value(registry, 'agentidp_tokens_issued_total', { grant_type: 'client_credentials' }), 1)
  t.equal(await value(registry, 'agentidp_token_verify_failures_total', { reason: 'invalid' }), 1)
  t.equal(await value(registry, 'agentidp_agent_operations_total', { operation: 'create' }), 1)
  t.equal(await value(registry, 'agentidp_agent_operations_total', { operation: 'decommission' }), 1)
  t.ok(await value(registry, 'agentidp_audit_events_total', { action: 'token.issued', outcome: 'success' }) >= 1)
  t.ok((await registry.getMetricsAsJSON()).every((m) => m.name.startsWith('agentidp_')))
})

t.test('each app has its own registry unless one is shared on purpose', async (t) => {
  const first = await buildApp()
  t.teardown(() => first.close())
  const second = await buildApp()
  t.teardown(() => second.close())
  t.not(first.sentryagent.metrics, second.sentryagent.metrics)

  const shared = new Registry()
  const a = await buildApp({ metricsRegistry: shared })
  t.teardown(() => a.close())
  const b = await buildApp({ metricsRegistry: shared })
  t.teardown(() => b.close())
  await adminSession(a)
  await adminSession(b)
  t.equal(await value(shared, 'agentidp_tokens_issued_total', { grant_type: 'client_credentials' }), 2, 'both apps count into the shared registry')
})
