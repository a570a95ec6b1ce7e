import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import pg from 'pg'
import type { Clock, CoreOptions, CreatedOrganization } from '@sentryagent/core'
import analyticsPlugin, { type AnalyticsOptions } from '../src/index.js'
import { databaseUrl, redisUrl } from '@sentryagent/test-support'
import { testApp, testKeys, type Teardown } from '@sentryagent/test-app'

export { databaseUrl, redisUrl, testKeys, type Teardown }

export function createPool (): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl(), max: 10 })
  pool.on('error', () => {})
  return pool
}

export interface AppOptions {
  core?: Partial<CoreOptions>
  /** Defaults here: no schedule (tests run the job themselves), no cache. */
  analytics?: AnalyticsOptions
  redisUrl?: string
}

/** A fresh app on the test PostgreSQL and Redis (core + analytics), closed when the test ends. */
export async function buildApp (t: Teardown, options: AppOptions = {}): Promise<FastifyInstance> {
  const { app, registerCore } = testApp(t, options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl })
  await registerCore(options.core)
  await app.register(analyticsPlugin, { schedule: false, cacheTtlSeconds: 0, ...options.analytics })
  await app.ready()
  return app
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  #now: number
  constructor (start: Date | string) { this.#now = new Date(start).getTime() }
  now (): Date { return new Date(this.#now) }
  advance (seconds: number): void { this.#now += seconds * 1000 }
  advanceDays (days: number): void { this.advance(days * 86_400) }
}

export async function createOrganization (app: FastifyInstance, tier: 'free' | 'pro' | 'enterprise' = 'free'): Promise<CreatedOrganization> {
  return app.sentryagent.organizations.create(`Analytics test ${Math.random().toString(36).slice(2, 8)}`, tier)
}

export async function accessToken (app: FastifyInstance, clientId: string, clientSecret: string, scope?: string): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/token',
    payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, ...(scope === undefined ? {} : { scope }) }
  })
  if (response.statusCode !== 200) throw new Error(`token request failed: ${response.statusCode} ${response.body}`)
  return response.json<{ access_token: string }>().access_token
}

/** An organization and a bearer header for its admin agent (every platform scope). */
export async function adminSession (app: FastifyInstance, tier: 'free' | 'pro' | 'enterprise' = 'free'): Promise<CreatedOrganization & { authorization: string }> {
  const organization = await createOrganization(app, tier)
  return { ...organization, authorization: `Bearer ${await accessToken(app, organization.clientId, organization.clientSecret)}` }
}

let emailCounter = 0
/** Registers an agent through the API and gives it a credential. */
export async function createAgent (app: FastifyInstance, authorization: string): Promise<{ agentId: string, credentialId: string, clientSecret: string }> {
  emailCounter++
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/agents',
    headers: { authorization },
    payload: { email: `analytics-${process.pid}-${Date.now()}-${emailCounter}@example.com`, agentType: 'monitor', version: '1.0.0', capabilities: ['agents:read'], owner: 'analytics-tests', deploymentEnv: 'staging' }
  })
  if (created.statusCode !== 201) throw new Error(`agent creation failed: ${created.statusCode} ${created.body}`)
  const { agentId } = created.json<{ agentId: string }>()
  const credential = await app.inject({ method: 'POST', url: `/api/v1/agents/${agentId}/credentials`, headers: { authorization } })
  const { credentialId, clientSecret } = credential.json<{ credentialId: string, clientSecret: string }>()
  return { agentId, credentialId, clientSecret }
}

/** GET an analytics endpoint as `authorization`. */
export async function analytics (app: FastifyInstance, authorization: string, path: string, query: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url: `/api/v1/analytics/${path}`, query, headers: { authorization } })
}

/** Raw usage_events totals of one tenant, per (agent, metric, day): what the aggregates must equal. */
export async function rawTotals (app: FastifyInstance, tenantId: string): Promise<Map<string, number>> {
  const { rows } = await app.sentryagent.db.query<{ agent_id: string | null, metric: string, day: string, total: string }>(
    `SELECT agent_id, metric, usage_date::text AS day, sum(count) AS total FROM usage_events
     WHERE organization_id = $1 GROUP BY 1, 2, 3`, [tenantId])
  return new Map(rows.map((row) => [`${row.agent_id ?? '-'}|${row.metric}|${row.day}`, Number(row.total)]))
}

export async function aggregateTotals (app: FastifyInstance, tenantId: string): Promise<Map<string, number>> {
  const { rows } = await app.sentryagent.db.query<{ agent_id: string | null, metric_type: string, day: string, count: string }>(
    'SELECT agent_id, metric_type, date::text AS day, count FROM analytics_daily_aggregates WHERE tenant_id = $1', [tenantId])
  return new Map(rows.map((row) => [`${row.agent_id ?? '-'}|${row.metric_type}|${row.day}`, Number(row.count)]))
}

/** Writes usage rows as a flush would, for days the test chooses. */
export async function insertUsage (app: FastifyInstance, rows: Array<{ tenantId: string, agentId: string | null, metric: string, day: string, count: number }>): Promise<void> {
  await app.sentryagent.db.query(
    `INSERT INTO usage_events (organization_id, agent_id, metric, usage_date, count)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[], $5::integer[])`,
    [rows.map((r) => r.tenantId), rows.map((r) => r.agentId), rows.map((r) => r.metric), rows.map((r) => r.day), rows.map((r) => r.count)])
}
