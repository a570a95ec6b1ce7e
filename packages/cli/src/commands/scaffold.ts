import { access } from 'node:fs/promises'
import { join, relative } from 'node:path'
import type { ApiClient, ProgressListener } from '../api/api-client.js'
import { rootFolderOf, unpackZip } from '../unpack/unpack-zip.js'
import { UsageError, type Output } from '../output.js'

export const LANGUAGES = ['typescript', 'python', 'go', 'java', 'rust'] as const

export interface ScaffoldArgs { agentId: string | undefined, language: string | undefined, out: string | undefined, force: boolean, json: boolean }

/** Downloads an agent's starter project and unpacks it, then says how to run it. */
export async function scaffold (client: ApiClient, args: ScaffoldArgs, output: Output): Promise<void> {
  if (args.agentId === undefined || args.agentId === '') throw new UsageError('scaffold needs --agent-id')
  const language = args.language ?? 'typescript'
  if (!(LANGUAGES as readonly string[]).includes(language)) throw new UsageError(`--language must be one of ${LANGUAGES.join(', ')}`)

  let bytes: Buffer
  try {
    bytes = (await client.download(`/sdk/scaffold/${encodeURIComponent(args.agentId)}?language=${language}`, progressOn(output))).bytes
  } finally {
    output.progress?.end()
  }
  const target = args.out ?? await rootFolderOf(bytes)
  const { directory, files } = await unpackZip(bytes, target, { force: args.force })
  const hasRunScript = await access(join(directory, 'run.sh')).then(() => true, () => false)
  const shown = relative(process.cwd(), directory).startsWith('..') ? directory : relative(process.cwd(), directory) || '.'
  const nextSteps = [
    `cd ${shown}`,
    'cp .env.example .env    # then replace <your-client-secret> with the agent\'s client secret',
    hasRunScript ? './run.sh                # builds and runs it; README.md has the steps one by one' : 'follow README.md to build and run it'
  ]
  if (args.json) {
    output.out(JSON.stringify({ agentId: args.agentId, language, directory, files, bytes: bytes.length, nextSteps }))
    return
  }
  output.out([`Unpacked the ${language} starter for agent ${args.agentId} into ${directory} (${files} files).`, '', 'Next steps:', ...nextSteps.map((step) => `  ${step}`)].join('\n'))
}

/** Progress on the status line, only when there is one (stderr is a terminal). */
function progressOn (output: Output): ProgressListener | undefined {
  const line = output.progress
  if (line === undefined) return undefined
  return (received, total) => {
    const size = kilobytes(received)
    line.update(total === undefined ? `Downloading… ${size}` : `Downloading… ${Math.floor(received * 100 / total)} % (${size} of ${kilobytes(total)})`)
  }
}

const kilobytes = (bytes: number): string => `${(bytes / 1024).toFixed(1)} kB`
