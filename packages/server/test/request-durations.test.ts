import t from 'tap'
import { Histogram, Registry } from 'prom-client'
import { LATENCY_BUCKETS } from '@sentryagent/core'
import { RequestDurations } from '../src/request-durations.js'

// On the bounds, between them and past the last one, for two routes, methods and statuses.
const OBSERVATIONS: Array<[string, string, number, number]> = [
  ['/a', 'GET', 200, 0.0001], ['/a', 'GET', 200, 0.0005], ['/a', 'GET', 200, 0.0007], ['/a', 'GET', 200, 3],
  ['/a', 'GET', 404, 0.02], ['/a', 'HEAD', 200, 0.001], ['/b/:id', 'POST', 201, 1], ['/b/:id', 'POST', 201, 0.3]
]

function referenceHistogram (): { registry: Registry, histogram: Histogram } {
  const registry = new Registry()
  const histogram = new Histogram({
    name: 'agentidp_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [...LATENCY_BUCKETS],
    registers: [registry]
  })
  return { registry, histogram }
}

t.test('the exposition is what prom-client\'s own histogram writes for the same observations', async (t) => {
  const registry = new Registry()
  const durations = new RequestDurations(registry)
  const timers = new Map([['/a', durations.timerFor('/a')], ['/b/:id', durations.timerFor('/b/:id')]])
  const reference = referenceHistogram()
  for (const [route, method, status, seconds] of OBSERVATIONS) {
    timers.get(route)!(method, status, seconds)
    reference.histogram.observe({ method, route, status_code: status }, seconds)
  }
  const text = await registry.metrics()
  t.equal(text, await reference.registry.metrics())
  t.match(text, 'agentidp_http_request_duration_seconds_bucket{le="0.0005",method="GET",route="/a",status_code="200"} 2')
  t.match(text, 'agentidp_http_request_duration_seconds_count{method="GET",route="/a",status_code="200"} 4')
})

t.test('a reset empties the histogram until the next observation', async (t) => {
  const registry = new Registry()
  const durations = new RequestDurations(registry)
  const time = durations.timerFor('/a')
  time('GET', 200, 0.002)
  time('GET', 500, 0.002)
  registry.resetMetrics()
  t.same((await durations.get()).values, [])
  time('GET', 200, 0.004)
  const reference = referenceHistogram()
  reference.histogram.observe({ method: 'GET', route: '/a', status_code: 200 }, 0.004)
  t.equal(await registry.metrics(), await reference.registry.metrics())
})
