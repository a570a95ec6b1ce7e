import t from 'tap'
import Fastify from 'fastify'
import createError from '@fastify/error'
import { LogCapture, adminSession, buildApp } from './helpers.js'
import { OAuthError, ValidationError, sentryErrorHandler, sentryNotFoundHandler } from '../src/index.js'

async function hostWith (throwing: () => unknown, logs = new LogCapture()) {
  const app = Fastify({ logger: { level: 'warn', stream: logs } })
  app.setErrorHandler(sentryErrorHandler)
  app.setNotFoundHandler(sentryNotFoundHandler)
  app.get('/boom', async () => { throw throwing() })
  return app
}

t.test('an unexpected error is 500 INTERNAL_ERROR without internals, and is logged', async (t) => {
  const logs = new LogCapture()
  const app = await hostWith(() => new Error('relation "secret_table" does not exist at 10.0.0.5'), logs)
  t.teardown(() => app.close())

  const response = await app.inject({ url: '/boom' })
  t.equal(response.statusCode, 500)
  t.same(response.json(), { code: 'INTERNAL_ERROR', message: 'Internal server error' })
  t.ok(logs.entries().some((entry) => entry.msg === 'unhandled error'))
})

t.test('connection failures of backing services, and transactions PostgreSQL aborted to break a conflict, are 503 with retry-after', async (t) => {
  const errors = [
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('the database system is shutting down'), { code: '57P03' }),
    Object.assign(new Error('connection failure'), { code: '08006' }),
    Object.assign(new Error('deadlock detected'), { code: '40P01' }),
    Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' }),
    new Error('Connection terminated unexpectedly'),
    Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }),
    Object.assign(new Error('overloaded'), { statusCode: 503 })
  ]
  for (const error of errors) {
    const app = await hostWith(() => error)
    t.teardown(() => app.close())
    const response = await app.inject({ url: '/boom' })
    t.equal(response.statusCode, 503, error.message)
    t.equal(response.json().code, 'SERVICE_UNAVAILABLE', error.message)
    t.equal(response.headers['retry-after'], '5', error.message)
  }
})

t.test('client errors keep their status; codes that are not UPPER_SNAKE fall back to one named after the status; details are passed on', async (t) => {
  const cases: Array<[unknown, number, Record<string, unknown>]> = [
    [new ValidationError('bad thing'), 400, { code: 'VALIDATION_ERROR', message: 'bad thing' }],
    [Object.assign(new Error('odd'), { statusCode: 422, code: 'invalid-type' }), 422, { code: 'BAD_REQUEST', message: 'odd' }],
    [Object.assign(new Error('gone'), { statusCode: 404, code: 'some-plugin-code' }), 404, { code: 'NOT_FOUND', message: 'gone' }],
    [Object.assign(new (createError('QUOTA_EXCEEDED', 'over quota', 429))(), { details: { limit: 10 } }), 429, { code: 'QUOTA_EXCEEDED', details: { limit: 10 } }],
    [new OAuthError('invalid_grant', 'expired code'), 400, { error: 'invalid_grant', error_description: 'expired code' }],
    // PostgreSQL refusing a NUL in text or in JSON
    [Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }), 400, { code: 'VALIDATION_ERROR' }],
    [Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' }), 400, { code: 'VALIDATION_ERROR' }]
  ]
  for (const [error, status, body] of cases) {
    const app = await hostWith(() => error)
    t.teardown(() => app.close())
    const response = await app.inject({ url: '/boom' })
    t.equal(response.statusCode, status)
    t.match(response.json(), body)
  }
})

t.test('the router\'s refusals of a path parameter, given to the handler as framework errors, are 400 VALIDATION_ERROR', async (t) => {
  const app = Fastify({ frameworkErrors: sentryErrorHandler })
  t.teardown(() => app.close())
  app.get('/things/:id', async () => ({}))
  for (const url of [`/things/${'a'.repeat(101)}`, '/things/%ZZ']) {
    const response = await app.inject({ url })
    t.equal(response.statusCode, 400, url)
    t.equal(response.json().code, 'VALIDATION_ERROR', url)
  }
})

t.test('an unknown route is 404 NOT_FOUND in our shape, both on a host and inside the plugin', async (t) => {
  const host = await hostWith(() => new Error('unused'))
  t.teardown(() => host.close())
  const response = await host.inject({ url: '/nowhere?token=abc' })
  t.equal(response.statusCode, 404)
  t.equal(response.json().code, 'NOT_FOUND')
  t.notOk(response.body.includes('token=abc'), 'the query string is not echoed')

  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)
  const missing = await app.inject({ url: '/api/v1/agents/00000000-0000-4000-8000-000000000000', headers: { authorization } })
  t.equal(missing.json().code, 'AGENT_NOT_FOUND')
})
