/** The starter languages, in the order they are listed to callers. */
export const LANGUAGES = ['typescript', 'python', 'go', 'java', 'rust'] as const
export type Language = typeof LANGUAGES[number]

export const DEFAULT_LANGUAGE: Language = 'typescript'

export function isLanguage (value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value)
}

/** The sentryagent-idp crate version the Rust starter depends on (a test keeps it equal to sdk-rust's). */
export const RUST_SDK_VERSION = '0.1.0'
