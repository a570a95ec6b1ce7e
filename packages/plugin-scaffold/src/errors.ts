import createError from '@fastify/error'

// API errors (UPPER_SNAKE, the platform dialect); the error handler renders `{ code, message, details }`.
export const UnsupportedLanguageError = createError<[string, string]>('UNSUPPORTED_LANGUAGE', 'Unsupported language "%s"; supported: %s', 400)

// Coded errors for invalid plugin options and broken templates: thrown once at registration.
export const InvalidOptionError = createError<[string]>('SENTRYAGENT_SCAFFOLD_INVALID_OPTION', 'Invalid @sentryagent/plugin-scaffold option: %s', 500)
export const MissingCoreError = createError<[]>('SENTRYAGENT_SCAFFOLD_MISSING_CORE', '@sentryagent/plugin-scaffold needs @sentryagent/core registered first', 500)
export const TemplateError = createError<[string]>('SENTRYAGENT_SCAFFOLD_TEMPLATE', 'Starter template problem: %s', 500)
