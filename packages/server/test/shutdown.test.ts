import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { buildServer } from '../src/index.js'
import { productionConfig } from './helpers.js'

t.test('a request reaching a closing server, the balancer\'s liveness check included, is answered 503 with retry-after and the connection closed', async (t) => {
  const app = await buildServer(productionConfig())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  // A kept-alive connection whose request is still arriving when the close starts.
  const socket = connect(port, '127.0.0.1')
  t.teardown(() => { socket.destroy() })
  await new Promise((resolve) => socket.once('connect', resolve))
  let answer = ''
  socket.setEncoding('utf8').on('data', (chunk: string) => { answer += chunk })
  const ended = new Promise((resolve) => socket.once('end', resolve))
  socket.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n')
  await sleep(50)

  const closed = app.close()
  await sleep(50)
  socket.write('\r\n')
  await ended
  await closed

  const [head = '', body = ''] = answer.split('\r\n\r\n')
  t.match(head, /^HTTP\/1\.1 503 /)
  t.match(head, /\r\nretry-after: 1\r\n/i)
  t.match(head, /\r\nconnection: close\r\n/i)
  t.match(JSON.parse(body), { code: 'SERVICE_UNAVAILABLE' })
})
