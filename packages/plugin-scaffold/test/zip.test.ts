import t from 'tap'
import { zipStarter } from '../src/zip.js'
import { readZip } from './helpers.js'

async function bytesOf (stream: NodeJS.ReadableStream): Promise<{ zip: Buffer, chunks: number }> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return { zip: Buffer.concat(chunks), chunks: chunks.length }
}

t.test('a small starter leaves in one write; a large one in several, intact', async (t) => {
  const small = await bytesOf(zipStarter('root', [{ path: 'a.txt', content: 'a', mode: 0o644 }], new Date()))
  t.equal(small.chunks, 1)
  const big = 'x'.repeat(200 * 1024)
  const large = await bytesOf(zipStarter('root', [{ path: 'big.txt', content: big, mode: 0o644 }, { path: 'run.sh', content: '#!/bin/sh\n', mode: 0o755 }], new Date()))
  t.ok(large.chunks > 1, `${large.chunks} chunks`)
  t.same((await readZip(large.zip)).map(({ name, mode, content }) => ({ name, mode, size: content.length })), [
    { name: 'root/', mode: 0o755, size: 0 },
    { name: 'root/big.txt', mode: 0o644, size: big.length },
    { name: 'root/run.sh', mode: 0o755, size: 10 }
  ])
})
