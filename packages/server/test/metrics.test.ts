import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { adminSession, buildApp } from './helpers.js'

async function scrape (app: FastifyInstance): Promise<string> {
  const response = await app.inject({ url: '/metrics' })
  if (response.statusCode !== 200) throw new Error(`/metrics answered ${response.statusCode}`)
  return response.body
}

/** The value of one sample line, e.g. `agentidp_tokens_issued_total{grant_type="client_credentials"}`. */
function sample (text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

t.test('/metrics exposes agentidp_ metrics in the Prometheus format', async (t) => {
  const app = await buildApp(t)
  const response = await app.inject({ url: '/metrics' })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  const names = response.body.split('\n').filter((line) => line.startsWith('# TYPE ')).map((line) => line.split(' ')[2]!)
  t.ok(names.length > 10, 'default process metrics and the services\' own')
  t.same(names.filter((name) => !name.startsWith('agentidp_')), [], 'every metric carries the platform prefix')
  t.ok(names.includes('agentidp_process_cpu_seconds_total'))
})

t.test('a token request is counted and every request is timed by route', async (t) => {
  const app = await buildApp(t)
  const { authorization, agentId } = await adminSession(app)
  await app.inject({ url: `/api/v1/agents/${agentId}`, headers: { authorization } })
  await app.inject({ url: '/no/such/route' })
  // Refused before the not-found handler runs: still timed, as unmatched.
  await app.inject({ method: 'POST', url: '/no/such/route', headers: { 'content-type': 'application/json' }, payload: '{' })
  await app.inject({ method: 'HEAD', url: '/api/v1/tiers' })
  await app.inject({ url: '/openapi.json' })

  const text = await scrape(app)
  t.equal(sample(text, 'agentidp_tokens_issued_total{grant_type="client_credentials"}'), 1)
  t.equal(sample(text, 'agentidp_http_request_duration_seconds_count{method="POST",route="/api/v1/token",status_code="200"}'), 1)
  t.equal(sample(text, 'agentidp_http_request_duration_seconds_count{method="GET",route="/api/v1/agents/:agentId",status_code="200"}'), 1,
    'labelled by route pattern, not by raw URL')
  t.equal(sample(text, 'agentidp_http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}'), 1)
  t.ok(sample(text, 'agentidp_http_request_duration_seconds_sum{method="GET",route="unmatched",status_code="404"}')! > 0,
    'an unmatched request is timed, not counted at zero')
  t.equal(sample(text, 'agentidp_http_request_duration_seconds_count{method="POST",route="unmatched",status_code="400"}'), 1)
  t.equal(sample(text, 'agentidp_http_request_duration_seconds_count{method="HEAD",route="/api/v1/tiers",status_code="200"}'), 1)
  t.equal(sample(text, 'agentidp_http_request_duration_seconds_count{method="GET",route="/openapi.json",status_code="200"}'), 1,
    'routes outside the API prefix too')
  t.notMatch(text, /route="\/metrics"/, 'scrapes do not time themselves')
})

t.test('two apps in one process keep their own registries', async (t) => {
  const first = await buildApp(t)
  const second = await buildApp(t)
  await adminSession(first)
  await adminSession(first)
  await adminSession(second)

  t.equal(sample(await scrape(first), 'agentidp_tokens_issued_total{grant_type="client_credentials"}'), 2)
  t.equal(sample(await scrape(second), 'agentidp_tokens_issued_total{grant_type="client_credentials"}'), 1)
})
