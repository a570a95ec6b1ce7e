import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { OAuthError } from './errors.js'

const RETRY_AFTER_SECONDS = 5

// For 4xx errors thrown without one of our codes (by Fastify or another plugin).
const CODE_BY_STATUS: Record<number, string> = {
  401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 429: 'RATE_LIMITED'
}

// Node / pg / ioredis signs that a backing service is down rather than the request bad; and
// PostgreSQL's aborts of a transaction caught in a deadlock or a serialization conflict, which
// a retry gets through.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300', '40P01', '40001'])
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Connection is closed|Stream isn't writeable|Reached the max retries|Client has encountered a connection error|Client was closed/i

// PostgreSQL refuses text it cannot store (a NUL character, `\u0000` inside JSON): the request's
// fault, found only when the text reaches the database.
const UNSTORABLE_TEXT_CODES = new Set(['22021', '22P05'])

function isUnavailable (error: FastifyError): boolean {
  const code = String(error.code ?? '')
  return UNAVAILABLE_CODES.has(code) || code.startsWith('08') || UNAVAILABLE_MESSAGES.test(error.message) ||
    error.name === 'MaxRetriesPerRequestError'
}

function validationDetails (error: FastifyError): unknown {
  return error.validation?.map((issue) => ({
    location: error.validationContext,
    path: issue.instancePath === '' ? '/' : issue.instancePath,
    message: issue.message,
    ...(issue.keyword === 'additionalProperties' ? { property: (issue.params as { additionalProperty?: string }).additionalProperty } : {})
  }))
}

/**
 * Renders every failure in the platform's dialect: `{ code, message, details }`, or
 * RFC 6749 `{ error, error_description }` on the OAuth endpoints. Never leaks internals.
 */
export function sentryErrorHandler (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof OAuthError) {
    if (error.error === 'invalid_client') void reply.header('www-authenticate', 'Basic realm="sentryagent"')
    void reply.status(error.statusCode).header('cache-control', 'no-store').send({ error: error.error, error_description: error.description })
    return
  }
  if (error.validation !== undefined) {
    void reply.status(400).send({ code: 'VALIDATION_ERROR', message: `Invalid request ${error.validationContext ?? ''}: ${error.message}`.replace(/\s+:/, ':'), details: validationDetails(error) })
    return
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      void reply.status(400).send({ code: 'VALIDATION_ERROR', message: 'Request body is not valid JSON' })
      return
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      void reply.status(413).send({ code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' })
      return
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      void reply.status(415).send({ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported Content-Type' })
      return
    // The router's own refusals (given here by Fastify's `frameworkErrors`): no id is that long or
    // written that way, so these are invalid path parameters, not a 414 no operation documents.
    case 'FST_ERR_MAX_PARAM_LENGTH':
    case 'FST_ERR_BAD_URL':
      void reply.status(400).send({ code: 'VALIDATION_ERROR', message: 'Invalid request params: a path parameter is too long or not validly percent-encoded' })
      return
  }
  if (UNSTORABLE_TEXT_CODES.has(String(error.code ?? ''))) {
    void reply.status(400).send({ code: 'VALIDATION_ERROR', message: 'Request text contains a character that cannot be stored (such as NUL)' })
    return
  }
  const status = error.statusCode ?? 500
  if (status === 503 || (status >= 500 && isUnavailable(error))) {
    request.log.warn({ err: error }, 'backing service unavailable')
    void reply.status(503).header('retry-after', String(RETRY_AFTER_SECONDS))
      .send({ code: 'SERVICE_UNAVAILABLE', message: 'A backing service is unavailable, retry shortly' })
    return
  }
  if (status >= 400 && status < 500) {
    const code = typeof error.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(error.code) ? error.code : (CODE_BY_STATUS[status] ?? 'BAD_REQUEST')
    const details = (error as { details?: unknown }).details
    void reply.status(status).send({ code, message: error.message, ...(details === undefined ? {} : { details }) })
    return
  }
  request.log.error({ err: error }, 'unhandled error')
  void reply.status(500).send({ code: 'INTERNAL_ERROR', message: 'Internal server error' })
}

export function sentryNotFoundHandler (request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(404).send({ code: 'NOT_FOUND', message: `Route ${request.method} ${request.url.split('?')[0] ?? ''} not found` })
}
