import { randomUUID } from 'node:crypto'
import net from 'node:net'
import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance, type FastifyServerOptions, type InjectOptions, type LightMyRequestResponse } from 'fastify'
import pg from 'pg'
import { Redis, type RedisOptions } from 'ioredis'
import corePlugin, { RedisKeyValueStore, SigningKeys, type Clock, type CoreOptions, type CreatedOrganization } from '../src/index.js'
import { databaseUrl, redisUrl } from '@sentryagent/test-support'

export { databaseUrl, redisUrl }

export const testKeys = SigningKeys.generatePem('ES256')

export interface BuildOptions {
  /** Fastify server options (a capturing logger, for instance). */
  server?: FastifyServerOptions
  /** Connect to another PostgreSQL / Redis than the shared test ones (a scratch database, a proxy). */
  databaseUrl?: string
  poolOptions?: pg.PoolConfig
  redisUrl?: string
  redisOptions?: RedisOptions
  /** Runs after the core plugin is registered, before `ready` (host routes, other plugins). */
  setup?: (app: FastifyInstance) => Promise<void> | void
}

/** A pool the test owns; a dropped connection is reported by the query that used it, not as a crash. */
export function createPool (connectionString = databaseUrl(), options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 10, ...options })
  pool.on('error', () => {})
  return pool
}

/** A fresh app on the shared test PostgreSQL and Redis; closing it closes what it opened. */
export async function buildApp (options: Partial<CoreOptions> = {}, build: BuildOptions = {}): Promise<FastifyInstance> {
  // As the server builds it: a body property the schema doesn't know is refused, not silently dropped.
  const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } }, ...build.server })
  const pool = createPool(build.databaseUrl, build.poolOptions)
  const redis = new Redis(build.redisUrl ?? redisUrl(), { maxRetriesPerRequest: 1, ...build.redisOptions })
  // Outages are provoked on purpose; commands report them, the connection's error event needn't.
  redis.on('error', () => {})
  const store = new RedisKeyValueStore(redis)
  app.addHook('onClose', async () => {
    await store.close()
    await pool.end()
    redis.disconnect()
  })
  try {
    await app.register(corePlugin, { database: pool, store, signingKeys: testKeys, ...options })
    await build.setup?.(app)
    await app.ready()
  } catch (error) {
    await app.close().catch(() => {})
    throw error
  }
  return app
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  #now: number
  constructor (start = new Date()) { this.#now = start.getTime() }
  now (): Date { return new Date(this.#now) }
  advance (seconds: number): void { this.#now += seconds * 1000 }
}

export async function createOrganization (app: FastifyInstance, tier: 'free' | 'pro' | 'enterprise' = 'free'): Promise<CreatedOrganization> {
  return app.sentryagent.organizations.create(`Test org ${Math.random().toString(36).slice(2, 8)}`, tier)
}

export async function requestToken (app: FastifyInstance, payload: Record<string, unknown>, options: Partial<InjectOptions> = {}): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: `${app.sentryagent.options.prefix}/token`, payload, ...options })
}

export async function accessToken (app: FastifyInstance, clientId: string, clientSecret: string, scope?: string): Promise<string> {
  const response = await requestToken(app,
    { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, ...(scope === undefined ? {} : { scope }) })
  if (response.statusCode !== 200) throw new Error(`token request failed: ${response.statusCode} ${response.body}`)
  return response.json<{ access_token: string }>().access_token
}

/** An organization and a bearer header for its admin agent (all platform scopes). */
export async function adminSession (app: FastifyInstance): Promise<CreatedOrganization & { authorization: string, token: string }> {
  const organization = await createOrganization(app)
  const token = await accessToken(app, organization.clientId, organization.clientSecret)
  return { ...organization, authorization: `Bearer ${token}`, token }
}

let emailCounter = 0
export function agentBody (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  emailCounter++
  return {
    email: `agent-${process.pid}-${Date.now()}-${emailCounter}@example.com`,
    agentType: 'classifier',
    version: '1.2.0',
    capabilities: ['agents:read', 'reports:write'],
    owner: 'team-ml',
    deploymentEnv: 'staging',
    ...overrides
  }
}

export interface AgentWithSecret {
  agentId: string
  credentialId: string
  clientSecret: string
}

/** Registers an agent (through the API, as `authorization`) and gives it a credential. */
export async function createAgent (app: FastifyInstance, authorization: string, overrides: Record<string, unknown> = {}): Promise<AgentWithSecret> {
  const created = await app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization }, payload: agentBody(overrides) })
  if (created.statusCode !== 201) throw new Error(`agent creation failed: ${created.statusCode} ${created.body}`)
  const { agentId } = created.json<{ agentId: string }>()
  const credential = await app.inject({ method: 'POST', url: `/api/v1/agents/${agentId}/credentials`, headers: { authorization } })
  if (credential.statusCode !== 201) throw new Error(`credential creation failed: ${credential.statusCode} ${credential.body}`)
  const { credentialId, clientSecret } = credential.json<{ credentialId: string, clientSecret: string }>()
  return { agentId, credentialId, clientSecret }
}

/** An empty database on the test server, dropped by `drop()`. */
export async function scratchDatabase (): Promise<{ url: string, drop: () => Promise<void> }> {
  const name = `sentryagent_scratch_${randomUUID().replace(/-/g, '')}`
  const admin = new pg.Client({ connectionString: databaseUrl() })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(databaseUrl())
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: databaseUrl() })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await client.end()
    }
  }
}

/**
 * A TCP relay in front of a real service, which the test can cut (`stop`: open connections
 * dropped, new ones refused) and restore (`start`) to simulate an outage or a partition.
 */
export class TcpRelay {
  #server: net.Server | undefined
  readonly #sockets = new Set<net.Socket>()
  port = 0

  constructor (private readonly target: { host: string, port: number }) {}

  static forUrl (serviceUrl: string): TcpRelay {
    const url = new URL(serviceUrl)
    return new TcpRelay({ host: url.hostname, port: Number(url.port) })
  }

  /** The service URL, pointed at the relay. */
  url (serviceUrl: string): string {
    const url = new URL(serviceUrl)
    url.hostname = '127.0.0.1'
    url.port = String(this.port)
    return url.toString()
  }

  /** Relays to the service; a `blackhole` relay accepts connections and never answers. */
  async start ({ blackhole = false } = {}): Promise<void> {
    const server = net.createServer((client) => {
      if (blackhole) {
        this.#sockets.add(client)
        client.on('error', () => {})
        return
      }
      const upstream = net.connect(this.target)
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket)
        socket.on('close', () => this.#sockets.delete(socket))
        socket.on('error', () => { client.destroy(); upstream.destroy() })
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', resolve)
    })
    this.port = (server.address() as net.AddressInfo).port
    this.#server = server
  }

  async stop (): Promise<void> {
    const server = this.#server
    this.#server = undefined
    for (const socket of this.#sockets) socket.destroy()
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/** A log destination that keeps every line written to it. */
export class LogCapture extends Writable {
  readonly lines: string[] = []

  override _write (chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean))
    done()
  }

  get text (): string {
    return this.lines.join('\n')
  }

  entries (): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>)
  }
}

/** Polls `check` until it holds or `timeoutMs` passes. */
export async function eventually (check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return check()
}
