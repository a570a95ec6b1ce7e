/** Where a command writes: injected so that tests read it, the binary passes the process streams. */
export interface Output {
  out(text: string): void
  err(text: string): void
  /** A transient status line (download progress); only present where someone watches (a TTY). */
  progress?: ProgressLine
}

export interface ProgressLine {
  update(text: string): void
  end(): void
}

const terminalProgress: ProgressLine = {
  update: (text) => { process.stderr.write(`\r\x1b[2K${text}`) },
  end: () => { process.stderr.write('\r\x1b[2K') }
}

export const processOutput: Output = {
  out: (text) => { process.stdout.write(text.endsWith('\n') ? text : `${text}\n`) },
  err: (text) => { process.stderr.write(text.endsWith('\n') ? text : `${text}\n`) },
  ...(process.stderr.isTTY ? { progress: terminalProgress } : {})
}

export class UsageError extends Error {}
