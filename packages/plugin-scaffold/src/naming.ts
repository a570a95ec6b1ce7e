import type { Language } from './languages.js'

const MAX_NAME_LENGTH = 40

/**
 * Agents have no display name: the local part of their e-mail stands for it, reduced to
 * lowercase letters, digits and dashes so that it is safe as a file name, a folder, a
 * package, crate or module name and inside a Content-Disposition header.
 */
export function agentNameOf (email: string): string {
  const localPart = email.slice(0, Math.max(email.lastIndexOf('@'), 0)) || email
  const name = localPart.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, MAX_NAME_LENGTH).replace(/^-+|-+$/g, '')
  return name === '' ? 'agent' : name
}

/** The ZIP's root folder, the project's name and (with `.zip`) the download's file name. */
export function starterNameOf (agentName: string, language: Language): string {
  return `sentryagent-scaffold-${agentName}-${language}`
}
