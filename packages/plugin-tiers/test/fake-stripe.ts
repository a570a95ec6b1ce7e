import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Teardown } from './helpers.js'

export interface FakeStripe {
  url: string
  /** Form-encoded bodies of the checkout sessions created, as key → value. */
  sessions: Array<Record<string, string>>
  /** Answer every request with this status (an outage). */
  failWith: number | undefined
}

let sessionCounter = 0

/** A local HTTP server that speaks the slice of the Stripe API the provider uses: POST /v1/checkout/sessions. */
export async function fakeStripe (t: Teardown): Promise<FakeStripe> {
  const fake: FakeStripe = { url: '', sessions: [], failWith: undefined }
  const server = http.createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => { body += chunk.toString() })
    request.on('end', () => {
      response.setHeader('content-type', 'application/json')
      if (fake.failWith !== undefined) {
        response.writeHead(fake.failWith).end(JSON.stringify({ error: { type: 'api_error', message: 'fake outage' } }))
        return
      }
      if (request.method !== 'POST' || request.url !== '/v1/checkout/sessions' || request.headers.authorization !== 'Bearer sk_test_fake') {
        response.writeHead(404).end(JSON.stringify({ error: { type: 'invalid_request_error', message: `no route ${request.method} ${request.url}` } }))
        return
      }
      const form = Object.fromEntries(new URLSearchParams(body))
      fake.sessions.push(form)
      const id = `cs_test_${++sessionCounter}`
      response.writeHead(200).end(JSON.stringify({
        id,
        object: 'checkout.session',
        mode: 'subscription',
        client_reference_id: form.client_reference_id,
        metadata: { organizationId: form['metadata[organizationId]'], tier: form['metadata[tier]'] },
        status: 'open',
        url: `https://checkout.stripe.test/c/pay/${id}`
      }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return fake
}
