import { randomUUID } from 'node:crypto'
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * PGlite does not lock its directory, and two processes opening one would corrupt it (a CLI
 * command while a server is still starting, say). So the embedded runtime holds a pid file.
 */
export const LOCK_FILE = 'pglite.lock'

export class DataDirectoryInUseError extends Error {
  readonly code = 'SENTRYAGENT_SERVER_DATA_DIR_IN_USE'
  constructor (readonly directory: string, readonly pid: number) {
    super(`The embedded database in ${directory} is in use by process ${pid} (a server, or another sentryagent command): retry once it listens or has finished`)
  }
}

interface Holder { pid: number, started: number }

// A container restarted on the same volume reuses the pid of its previous life: the start time tells them apart.
const self: Holder = { pid: process.pid, started: Math.round(performance.timeOrigin) }

/** Whether a process with this id exists (EPERM: it does, under another user). */
export function isProcessAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function parseHolder (content: string): Partial<Holder> {
  try {
    const holder: unknown = JSON.parse(content)
    return typeof holder === 'object' && holder !== null ? holder as Partial<Holder> : {}
  } catch {
    return {}
  }
}

function holds ({ pid, started }: Partial<Holder>): boolean {
  if (!Number.isInteger(pid) || pid! <= 0) return false
  return pid === self.pid ? started === self.started : isProcessAlive(pid!)
}

/** Takes the directory's lock, or throws while a live process holds it; answers the release. */
export async function lockDataDirectory (directory: string): Promise<() => Promise<void>> {
  await mkdir(directory, { recursive: true })
  const file = join(directory, LOCK_FILE)
  // Written aside, then hard-linked into place: the lock never exists without its holder.
  const candidate = `${file}.${randomUUID()}`
  await writeFile(candidate, JSON.stringify(self), { mode: 0o600 })
  try {
    for (;;) {
      try {
        await link(candidate, file)
        return async () => { await rm(file, { force: true }) }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
      const content = await readFile(file, 'utf8').catch(() => undefined)
      if (content === undefined) continue // released meanwhile
      const holder = parseHolder(content)
      if (holds(holder)) throw new DataDirectoryInUseError(directory, holder.pid!)
      // Left behind by a process that died without closing: stale.
      await rm(file, { force: true })
    }
  } finally {
    await rm(candidate, { force: true })
  }
}
