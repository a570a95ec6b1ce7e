import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import pg from 'pg'
import { Cluster, Redis } from 'ioredis'
import { MemoryKeyValueStore, RedisKeyValueStore, SigningKeys, type Database, type KeyValueStore, type PemKeyPair } from '@sentryagent/core'
import type { ServerConfig } from './config.js'
import { lockDataDirectory } from './data-dir-lock.js'

/** The backing services a server runs on, and how to let go of them. */
export interface Runtime {
  mode: 'embedded' | 'production'
  database: Database
  store: KeyValueStore
  /** The raw Redis client when there is one (plugins such as BullMQ need it). */
  redis: Redis | Cluster | undefined
  signingKeys: PemKeyPair
  close(): Promise<void>
}

// Fail fast instead of hanging when PostgreSQL or Redis is away; callers answer 503.
const POOL_DEFAULTS = { connectionTimeoutMillis: 3000, idleTimeoutMillis: 30_000, query_timeout: 15_000 }
const REDIS_DEFAULTS = { maxRetriesPerRequest: 1, connectTimeout: 3000 }

/** Opens PostgreSQL (or the embedded PGlite) and Redis (or the in-memory store) as configured. */
export async function openRuntime (config: ServerConfig): Promise<Runtime> {
  const closers: Array<() => Promise<void>> = []
  try {
    let database: pg.Pool
    let mode: Runtime['mode'] = 'production'
    if (config.databaseUrl === undefined) {
      mode = 'embedded'
      closers.unshift(await lockDataDirectory(config.dataDir))
      const embedded = await openEmbeddedPostgres(join(config.dataDir, 'pgdata'))
      closers.unshift(embedded.close)
      // PGlite serves one connection at a time: more would be reset.
      database = new pg.Pool({ ...POOL_DEFAULTS, connectionString: embedded.url, max: 1 })
    } else {
      database = new pg.Pool({ ...POOL_DEFAULTS, connectionString: config.databaseUrl, max: 20 })
    }
    database.on('error', () => {}) // idle-client errors surface on the next query as 503s
    closers.unshift(async () => { await database.end() })

    let redis: Redis | Cluster | undefined
    let store: KeyValueStore
    if (config.redisUrl === undefined) {
      store = new MemoryKeyValueStore()
    } else {
      const client = config.redisClusterNodes === undefined
        ? new Redis(config.redisUrl, { ...REDIS_DEFAULTS, enableOfflineQueue: false, lazyConnect: true })
        : openCluster(config.redisClusterNodes)
      client.on('error', () => {}) // reported per request as 503; ioredis reconnects by itself
      // Registered before connecting: a failed connect keeps retrying (and the process alive) until disconnected.
      closers.unshift(async () => { client.disconnect() })
      await client.connect()
      redis = client
      store = new RedisKeyValueStore(client)
    }
    closers.unshift(async () => { await store.close() })

    const signingKeys = await loadSigningKeys(config, mode)
    return {
      mode,
      database,
      store,
      redis,
      signingKeys,
      close: async () => { for (const close of closers) await close() }
    }
  } catch (error) {
    for (const close of closers) await close().catch(() => {})
    throw error
  }
}

/**
 * A Redis Cluster client as fail-fast as the single-node one. The nodes it discovers get the
 * seeds' credentials and TLS through `redisOptions` (config.ts makes the seeds agree on them).
 */
function openCluster (seeds: string[]): Cluster {
  const { username, password, protocol } = new URL(seeds[0]!)
  const access = {
    ...(username === '' ? {} : { username: decodeURIComponent(username) }),
    ...(password === '' ? {} : { password: decodeURIComponent(password) }),
    ...(protocol === 'rediss:' ? { tls: {} } : {})
  }
  return new Cluster(seeds, { enableOfflineQueue: false, lazyConnect: true, redisOptions: { ...REDIS_DEFAULTS, ...access } })
}

/** Keys from the environment; embedded mode generates a pair once and keeps it beside its data. */
async function loadSigningKeys (config: ServerConfig, mode: Runtime['mode']): Promise<PemKeyPair> {
  if (config.jwtPrivateKey !== undefined && config.jwtPublicKey !== undefined) {
    return { privateKey: config.jwtPrivateKey, publicKey: config.jwtPublicKey }
  }
  if (mode === 'production') throw new Error('JWT_PRIVATE_KEY and JWT_PUBLIC_KEY are required with DATABASE_URL (every instance must sign with the same key)')
  const file = resolve(config.dataDir, `signing-key-${config.jwtAlgorithm.toLowerCase()}.json`)
  try {
    return JSON.parse(await readFile(file, 'utf8')) as PemKeyPair
  } catch {
    const pair = SigningKeys.generatePem(config.jwtAlgorithm)
    await mkdir(config.dataDir, { recursive: true })
    await writeFile(file, JSON.stringify(pair), { mode: 0o600 })
    return pair
  }
}

async function openEmbeddedPostgres (directory: string): Promise<{ url: string, close: () => Promise<void> }> {
  const { PGlite } = await import('@electric-sql/pglite')
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket')
  await mkdir(directory, { recursive: true })
  const db = await PGlite.create(directory)
  // The pool holds one connection, but pg reconnects before the server has dropped a
  // failed socket: a second slot keeps that reconnect from being refused.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 2 })
  await server.start()
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    close: async () => {
      await server.stop()
      await db.close()
    }
  }
}
