import t from 'tap'
import net from 'node:net'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { buildApp, call, tenant, type BuildOptions, type Teardown } from './helpers.js'

/** A Redis that accepts connections and never answers: commands hang (ioredis would wait ~40 s). */
async function blackhole (t: Teardown): Promise<string> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => { sockets.add(socket); socket.on('error', () => {}) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy()
    server.close(() => resolve())
  }))
  return `redis://127.0.0.1:${(server.address() as net.AddressInfo).port}`
}

/** A port with nobody listening: connections are refused at once. */
async function refusedUrl (): Promise<string> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `redis://127.0.0.1:${port}`
}

class Lines extends Writable {
  readonly lines: string[] = []
  override _write (chunk: Buffer, _encoding: BufferEncoding, done: () => void): void { this.lines.push(chunk.toString()); done() }
}

async function hungApp (t: Teardown, options: BuildOptions): Promise<FastifyInstance> {
  // No ready check: the connection counts as up, so commands are sent and never answered.
  return buildApp(t, { limiterRedisUrl: await blackhole(t), limiterRedisOptions: { enableReadyCheck: false }, ...options, limits: { decisionTimeoutMs: 50, ...options.limits } })
}

async function timed<T> (work: () => Promise<T>): Promise<{ result: T, ms: number }> {
  const started = performance.now()
  const result = await work()
  return { result, ms: performance.now() - started }
}

t.test('fail-open by default: a hung Redis lets requests through, with a metric and a warning', async (t) => {
  const logs = new Lines()
  const app = await hungApp(t, { logStream: logs })
  const caller = await tenant(app)
  const { result: response, ms } = await timed(() => call(app, caller))
  t.equal(response.statusCode, 200)
  t.notOk(response.headers['x-ratelimit-limit'], 'no counts to report')
  t.ok(ms < 1000, `answered in ${ms.toFixed(0)} ms (the decision gives up after 50 ms)`)
  const metrics = await app.sentryagent.metrics.getSingleMetricAsString('agentidp_rate_limit_decisions_total')
  t.match(metrics, /outcome="failed_open"\} 1/)
  t.match(logs.lines.join(''), /rate-limit counters unreachable: letting requests through/)
})

t.test('fail-closed answers 503 with retry-after, never a 500', async (t) => {
  const caller = await tenant(await buildApp(t))
  const app = await hungApp(t, { limits: { redisFailure: 'closed' } })
  const { result: response, ms } = await timed(() => call(app, caller))
  t.equal(response.statusCode, 503)
  t.equal(response.headers['retry-after'], '5')
  t.equal(response.json().code, 'SERVICE_UNAVAILABLE')
  t.ok(ms < 1000, `answered in ${ms.toFixed(0)} ms`)
  const token = await app.inject({ method: 'POST', url: '/api/v1/token', payload: { grant_type: 'client_credentials', client_id: caller.clientId, client_secret: caller.clientSecret } })
  t.equal(token.statusCode, 503, 'the token quota can\'t be counted either')
  t.equal(token.json().code, 'SERVICE_UNAVAILABLE')
})

t.test('a refused Redis connection is decided at once, under either policy', async (t) => {
  const url = await refusedUrl()
  const caller = await tenant(await buildApp(t))
  const open = await buildApp(t, { limiterRedisUrl: url, limits: { decisionTimeoutMs: 50 } })
  const closed = await buildApp(t, { limiterRedisUrl: url, limits: { redisFailure: 'closed', decisionTimeoutMs: 50 } })
  t.equal((await call(open, caller)).statusCode, 200)
  t.equal((await call(closed, caller)).statusCode, 503)
})
