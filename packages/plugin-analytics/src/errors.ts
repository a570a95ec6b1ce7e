import createError from '@fastify/error'

// API errors in the platform's dialect, answered as `{ code, message, details }`.
export const InvalidDateRangeError = createError<[string]>('INVALID_DATE_RANGE', '%s', 400)

// Invalid plugin options: thrown once at registration.
export const InvalidOptionError = createError<[string]>('SENTRYAGENT_ANALYTICS_INVALID_OPTION', 'Invalid @sentryagent/plugin-analytics option: %s', 500)
