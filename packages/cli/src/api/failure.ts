import { CliError, EXIT, type ExitCode } from '../exit-codes.js'

const EXIT_BY_STATUS: Record<number, ExitCode> = { 401: EXIT.UNAUTHORIZED, 403: EXIT.FORBIDDEN, 404: EXIT.NOT_FOUND, 429: EXIT.RATE_LIMITED }

// What to do next, per status; the server's own message says what went wrong.
const HINT_BY_STATUS: Record<number, string> = {
  401: 'Check AGENTIDP_CLIENT_ID and AGENTIDP_CLIENT_SECRET (or --client-id / --client-secret): the secret is shown once, when the credential is created.',
  403: 'The agent lacks the scope this needs: create the agent with that capability, or use another agent\'s credentials.',
  404: 'Check the id: agents of other organizations are not visible.'
}

/** A refused request as a CliError: the server's code and message, a hint, and an exit code per status. */
export async function failureOf (response: Response): Promise<CliError> {
  const body = await response.text()
  let code = `HTTP_${response.status}`
  let message = body.slice(0, 200)
  try {
    // Our API answers { code, message }; the token endpoint answers OAuth's { error, error_description }.
    const parsed = JSON.parse(body) as { code?: string, message?: string, error?: string, error_description?: string }
    code = parsed.code ?? parsed.error ?? code
    message = parsed.message ?? parsed.error_description ?? message
  } catch {
    // Not JSON (a proxy's error page): the start of the body is the message.
  }
  const exitCode = EXIT_BY_STATUS[response.status] ?? EXIT.FAILURE
  const hint = response.status === 429 ? retryHint(response.headers.get('retry-after')) : HINT_BY_STATUS[response.status]
  return new CliError(exitCode, `${response.status} ${code}: ${message}${hint === undefined ? '' : `\n${hint}`}`, code)
}

// Retry-After is seconds or an HTTP date.
function retryHint (retryAfter: string | null): string {
  if (retryAfter === null || retryAfter.trim() === '') return 'Rate limited: retry later.'
  const seconds = Number(retryAfter)
  return Number.isFinite(seconds) ? `Rate limited: retry in ${Math.ceil(seconds)} s.` : `Rate limited: retry after ${retryAfter}.`
}
