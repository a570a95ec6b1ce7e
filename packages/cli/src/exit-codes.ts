/** The process exit codes, documented in the README: scripts branch on them. */
export const EXIT = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  UNREACHABLE: 3,
  UNAUTHORIZED: 4,
  FORBIDDEN: 5,
  NOT_FOUND: 6,
  RATE_LIMITED: 7,
  UNSAFE_ARCHIVE: 8,
  DIRECTORY_NOT_EMPTY: 9
} as const

export type ExitCode = typeof EXIT[keyof typeof EXIT]

/** A failure the user can act on: its message says what to do, its code says what happened. */
export class CliError extends Error {
  constructor (readonly exitCode: ExitCode, message: string, readonly code = 'FAILED') {
    super(message)
  }
}
