import t, { type Test } from 'tap'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyInstance } from 'fastify'
import { Registry } from 'prom-client'
import { metricsRoutes } from '../src/metrics.js'

async function timedApp (t: Test): Promise<{ app: FastifyInstance, sum: (route: string) => Promise<number> }> {
  const registry = new Registry()
  const app = Fastify({ logger: false })
  t.teardown(() => app.close())
  await app.register(metricsRoutes, { registry })
  app.get('/slow', async () => {
    await sleep(40)
    return { ok: true }
  })
  // The body trickles out after the handler returned: the request lasts until its last byte.
  app.get('/stream', (_request, reply) => {
    const body = new Readable({ read () {} })
    setTimeout(() => { body.push('{"ok":true}'); body.push(null) }, 40)
    void reply.type('application/json').send(body)
  })
  app.get('/fast', async () => ({ ok: true }))
  const sum = async (route: string): Promise<number> => {
    const series = `agentidp_http_request_duration_seconds_sum{method="GET",route="${route}",status_code="200"} `
    const line = (await registry.metrics()).split('\n').find((candidate) => candidate.startsWith(series))
    if (line === undefined) throw new Error(`${route} was not timed`)
    return Number(line.slice(series.length))
  }
  return { app, sum }
}

t.test('a request is timed from its first hook to its last byte, streamed or not', async (t) => {
  const { app, sum } = await timedApp(t)
  for (const url of ['/slow', '/stream', '/fast']) t.equal((await app.inject({ url })).statusCode, 200, url)
  t.ok(await sum('/slow') >= 0.035, 'the handler\'s time counts')
  t.ok(await sum('/stream') >= 0.035, 'a streamed body counts until it is written')
  t.ok(await sum('/fast') < 0.035, 'and a fast route is not charged for the others')
})
