import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import type { Socket } from 'node:net'

/**
 * A DevTools protocol session with a process started with `--inspect=127.0.0.1:<port>`, over
 * the few lines of WebSocket it needs (Node 20 has no WebSocket client): text frames, masked
 * one way, replies matched to requests by id. Loopback only.
 */
export class InspectorSession {
  readonly #pending = new Map<number, { resolve: (result: unknown) => void, reject: (error: Error) => void }>()
  #received = Buffer.alloc(0)
  #nextId = 1

  private constructor (private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => { this.#receive(chunk) })
    socket.on('close', () => {
      for (const { reject } of this.#pending.values()) reject(new Error('inspector connection closed'))
      this.#pending.clear()
    })
  }

  static async open (port: number): Promise<InspectorSession> {
    const [target] = await (await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(5000) })).json() as Array<{ webSocketDebuggerUrl: string }>
    if (target === undefined) throw new Error(`no inspector target on port ${port}`)
    const socket = await new Promise<Socket>((resolve, reject) => {
      const upgrade = request(target.webSocketDebuggerUrl.replace(/^ws:/, 'http:'), {
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') },
        timeout: 5000
      })
      upgrade.on('upgrade', (_response, upgraded) => { resolve(upgraded) })
      upgrade.on('response', (response) => { reject(new Error(`inspector refused the upgrade: ${response.statusCode}`)) })
      upgrade.on('timeout', () => upgrade.destroy(new Error('inspector upgrade timed out')))
      upgrade.on('error', reject)
      upgrade.end()
    })
    return new InspectorSession(socket)
  }

  /** Calls one protocol method and resolves with its result. */
  async send (method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.#nextId++
    const payload = Buffer.from(JSON.stringify({ id, method, params }))
    // A client's frames are masked (RFC 6455 §5.3): FIN + text, then the length in 7 or 16 bits (calls are short).
    if (payload.length >= 65_536) throw new Error(`${method}: a call of ${payload.length} bytes is longer than this client sends`)
    const mask = randomBytes(4)
    const length = payload.length < 126 ? Buffer.from([0x80 | payload.length]) : Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff])
    const masked = payload.map((byte, index) => byte ^ mask[index % 4]!)
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.socket.write(Buffer.concat([Buffer.from([0x81]), length, mask, masked]))
    })
  }

  close (): void {
    this.socket.destroy()
  }

  // The server's frames are unmasked and may arrive split or several to a chunk.
  #receive (chunk: Buffer): void {
    this.#received = Buffer.concat([this.#received, chunk])
    for (;;) {
      const frame = unmaskedFrame(this.#received)
      if (frame === undefined) return
      this.#received = this.#received.subarray(frame.end)
      if (frame.opcode !== 0x1) continue
      const message = JSON.parse(frame.payload.toString('utf8')) as { id?: number, result?: unknown, error?: { message: string } }
      const waiting = message.id === undefined ? undefined : this.#pending.get(message.id)
      if (waiting === undefined) continue
      this.#pending.delete(message.id!)
      if (message.error === undefined) waiting.resolve(message.result)
      else waiting.reject(new Error(message.error.message))
    }
  }
}

function unmaskedFrame (buffer: Buffer): { opcode: number, payload: Buffer, end: number } | undefined {
  if (buffer.length < 2) return undefined
  const short = buffer[1]! & 0x7f
  const header = short === 126 ? 4 : short === 127 ? 10 : 2
  if (buffer.length < header) return undefined
  const length = short === 126 ? buffer.readUInt16BE(2) : short === 127 ? Number(buffer.readBigUInt64BE(2)) : short
  if (buffer.length < header + length) return undefined
  return { opcode: buffer[0]! & 0x0f, payload: buffer.subarray(header, header + length), end: header + length }
}
