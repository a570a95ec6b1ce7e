import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { OPERATOR_FILE, type OperatorHandle } from '@sentryagent/server'

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The embedded server running on this data directory, if any: it owns the database then. */
export async function runningEmbeddedServer (dataDir: string): Promise<OperatorHandle | undefined> {
  let handle: OperatorHandle
  try {
    handle = JSON.parse(await readFile(join(dataDir, OPERATOR_FILE), 'utf8')) as OperatorHandle
  } catch {
    return undefined
  }
  return isAlive(handle.pid) ? handle : undefined
}
