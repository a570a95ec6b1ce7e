import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ZipArchive } from 'archiver'
import type { Teardown } from './helpers.js'

export interface ZipEntrySpec { name: string, content?: string, mode?: number, directory?: boolean, symlinkTo?: string }

/** A ZIP built with archiver, as the scaffold endpoint streams one. */
export async function buildZip (entries: ZipEntrySpec[]): Promise<Buffer> {
  const archive = new ZipArchive({ zlib: { level: 6 } })
  const chunks: Buffer[] = []
  archive.on('data', (chunk) => chunks.push(chunk))
  const finished = new Promise<void>((resolve, reject) => {
    archive.on('end', () => { resolve() })
    archive.on('error', reject)
  })
  for (const entry of entries) {
    if (entry.symlinkTo !== undefined) archive.symlink(entry.name, entry.symlinkTo)
    else if (entry.directory === true) archive.append('', { name: entry.name.endsWith('/') ? entry.name : `${entry.name}/`, mode: entry.mode ?? 0o755 })
    else archive.append(entry.content ?? '', { name: entry.name, mode: entry.mode ?? 0o644 })
  }
  await archive.finalize()
  await finished
  return Buffer.concat(chunks)
}

/**
 * archiver cleans names (no leading `/` or `../`), as a well-behaved producer does; a hostile
 * archive is that one with a name's bytes swapped in both of its headers (same length, so the
 * offsets still hold).
 */
export function withRenamedEntry (zip: Buffer, from: string, to: string): Buffer {
  if (Buffer.byteLength(from) !== Buffer.byteLength(to)) throw new Error('names must have the same length')
  const patched = Buffer.from(zip)
  const needle = Buffer.from(from)
  let found = 0
  for (let at = patched.indexOf(needle); at !== -1; at = patched.indexOf(needle, at + 1)) {
    Buffer.from(to).copy(patched, at)
    found++
  }
  if (found !== 2) throw new Error(`expected ${from} in the local and the central header, found ${found}`)
  return patched
}

export type Handler = (request: IncomingMessage, response: ServerResponse) => void

export interface FakeApi { url: string, requests: string[], serve(handler: Handler): void }

/**
 * A stand-in SentryAgent server on 127.0.0.1: the token endpoint answers any client, the scaffold
 * endpoint answers whatever the test sets — archives no real server would send, or refusals.
 */
export async function fakeApi (t: Teardown): Promise<FakeApi> {
  let scaffold: Handler = (_request, response) => { response.writeHead(500).end() }
  const requests: string[] = []
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url} ${request.headers.authorization ?? ''}`.trim())
    if (request.method === 'POST' && request.url === '/api/v1/token') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'fake-token', token_type: 'Bearer', expires_in: 900, scope: 'agents:read' }))
      return
    }
    if (request.url?.startsWith('/api/v1/sdk/scaffold/') === true && request.headers.authorization === 'Bearer fake-token') {
      scaffold(request, response)
      return
    }
    response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'NOT_FOUND', message: 'no such route' }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => { resolve() })))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, requests, serve: (handler) => { scaffold = handler } }
}

/** Serves this ZIP from the scaffold endpoint, with its length announced (so progress has a total). */
export function zipHandler (zip: Buffer): Handler {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.length, 'content-disposition': 'attachment; filename="starter.zip"' }).end(zip)
  }
}
