import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream'
import { ZipArchive } from 'archiver'
import type { StarterFile } from './templates.js'

// archiver emits every header, file and descriptor as its own small chunk: a write each.
const COALESCE_BYTES = 64 * 1024

/** Gathers small chunks into writes of up to COALESCE_BYTES (a starter usually goes out in one). */
class Coalescer extends Transform {
  #chunks: Buffer[] = []
  #size = 0

  override _transform (chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#chunks.push(chunk)
    this.#size += chunk.length
    if (this.#size >= COALESCE_BYTES) this.#release()
    done()
  }

  override _flush (done: TransformCallback): void {
    this.#release()
    done()
  }

  #release (): void {
    if (this.#size > 0) this.push(Buffer.concat(this.#chunks, this.#size))
    this.#chunks = []
    this.#size = 0
  }
}

/**
 * A ZIP of `files` under one root folder, produced as it is read: built from strings in
 * memory, never written to disk. Unix modes are kept so that scripts unpack executable.
 */
export function zipStarter (rootFolder: string, files: readonly StarterFile[], date: Date): Readable {
  // Stored, not deflated: a starter is a few KiB, and a zlib stream per entry cost ~6× the
  // whole generation time (bench/scaffold.mjs) to save ~8 KiB.
  const archive = new ZipArchive({ store: true })
  archive.append('', { name: `${rootFolder}/`, type: 'directory', mode: 0o755, date })
  for (const file of files) archive.append(file.content, { name: `${rootFolder}/${file.path}`, mode: file.mode, date })
  // A failure also reaches the stream's 'error' event (pipeline passes it on), which ends the response.
  archive.finalize().catch(() => {})
  return pipeline(archive, new Coalescer(), () => {})
}
