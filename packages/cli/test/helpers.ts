import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { SigningKeys } from '@sentryagent/core'
import { buildServer, readConfig } from '@sentryagent/server'
import type { Output } from '../src/output.js'
import { databaseUrl, redisUrl } from '@sentryagent/test-support'

/** What a tap test gives a helper: somewhere to register cleanup. */
export interface Teardown { teardown(fn: () => unknown): void }

export type App = Awaited<ReturnType<typeof buildServer>>

export { databaseUrl, redisUrl }

export const testKeys = SigningKeys.generatePem('ES256')

/** The environment of an operator working on the production database. */
export function productionEnv (overrides: Record<string, string> = {}): Record<string, string> {
  return { DATABASE_URL: databaseUrl(), REDIS_URL: redisUrl(), JWT_PRIVATE_KEY: testKeys.privateKey, JWT_PUBLIC_KEY: testKeys.publicKey, LOG_LEVEL: 'silent', ...overrides }
}

/** An Output that keeps what a command writes. */
export function captureOutput (): Output & { stdout: () => string, stderr: () => string } {
  const out: string[] = []
  const err: string[] = []
  return {
    out: (text) => { out.push(text) },
    err: (text) => { err.push(text) },
    stdout: () => out.join('\n'),
    stderr: () => err.join('\n')
  }
}

/** A server app on the same environment the CLI was given, closed when the test ends. */
export async function buildApp (t: Teardown, env: Record<string, string>): Promise<App> {
  const app = await buildServer(readConfig(env))
  t.teardown(() => app.close())
  await app.ready()
  return app
}

/** A temporary directory, removed when the test ends. */
export async function tempDir (t: Teardown, prefix = 'sentryagent-cli-'): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), prefix))
  t.teardown(() => rm(directory, { recursive: true, force: true }))
  return directory
}

/** An empty database on the test PostgreSQL, dropped when the test ends. */
export async function scratchDatabase (t: Teardown): Promise<string> {
  const name = `sentryagent_cli_${randomUUID().replace(/-/g, '')}`
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: databaseUrl() })
    await client.connect()
    try {
      await client.query(sql)
    } finally {
      await client.end()
    }
  }
  await admin(`CREATE DATABASE ${name}`)
  t.teardown(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
  const url = new URL(databaseUrl())
  url.pathname = `/${name}`
  return url.toString()
}

/** Issues a token through the server's HTTP token endpoint. */
export async function requestToken (app: App, clientId: string, clientSecret: string): Promise<{ statusCode: number, scope?: string }> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret } })
  return { statusCode: response.statusCode, scope: response.statusCode === 200 ? response.json<{ scope: string }>().scope : undefined }
}
