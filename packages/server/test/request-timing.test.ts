import t, { type Test } from 'tap'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyInstance } from 'fastify'
import { Registry } from 'prom-client'
import { metricsRoutes } from '../src/metrics.js'

type Sample = (route: string, status?: number) => Promise<number>

async function timedApp (t: Test): Promise<{ app: FastifyInstance, sum: Sample, count: Sample }> {
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
  // As a file that can't be read: the stream fails before its first byte.
  app.get('/broken-stream', (_request, reply) => {
    const body = new Readable({ read () { this.destroy(new Error('no such file')) } })
    void reply.type('application/json').send(body)
  })
  const sample = (name: 'sum' | 'count') => async (route: string, status = 200): Promise<number> => {
    const series = `agentidp_http_request_duration_seconds_${name}{method="GET",route="${route}",status_code="${status}"} `
    const line = (await registry.metrics()).split('\n').find((candidate) => candidate.startsWith(series))
    if (line === undefined) throw new Error(`${route} was not timed with ${status}`)
    return Number(line.slice(series.length))
  }
  return { app, sum: sample('sum'), count: sample('count') }
}

t.test('a request is timed from its first hook to its last byte, streamed or not', async (t) => {
  const { app, sum } = await timedApp(t)
  for (const url of ['/slow', '/stream', '/fast']) t.equal((await app.inject({ url })).statusCode, 200, url)
  t.ok(await sum('/slow') >= 0.035, 'the handler\'s time counts')
  t.ok(await sum('/stream') >= 0.035, 'a streamed body counts until it is written')
  t.ok(await sum('/fast') < 0.035, 'and a fast route is not charged for the others')
})

t.test('a stream that fails before its first byte is counted once, with the error\'s status', async (t) => {
  const { app, sum, count } = await timedApp(t)
  const response = await app.inject({ url: '/broken-stream' })
  t.equal(response.statusCode, 500)
  t.equal(await count('/broken-stream', 500), 1)
  t.ok(await sum('/broken-stream', 500) >= 0)
})
