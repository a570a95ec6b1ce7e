/** Where a command writes: injected so that tests read it, the binary passes the process streams. */
export interface Output {
  out(text: string): void
  err(text: string): void
}

export const processOutput: Output = {
  out: (text) => { process.stdout.write(text.endsWith('\n') ? text : `${text}\n`) },
  err: (text) => { process.stderr.write(text.endsWith('\n') ? text : `${text}\n`) }
}

export class UsageError extends Error {}
