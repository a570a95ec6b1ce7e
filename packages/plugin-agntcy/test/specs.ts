import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import formats from 'ajv-formats'

/**
 * The shared specification files (../shared/specs relative to the repository root, never copied).
 * SENTRYAGENT_SPECS_DIR overrides; a throwaway clone (CI) falls back to its origin's checkout.
 */
function locateSpecs (): string {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
  const candidates = [process.env.SENTRYAGENT_SPECS_DIR, join(repoRoot, '../shared/specs')]
  try {
    const origin = execFileSync('git', ['-C', repoRoot, 'remote', 'get-url', 'origin'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    const local = origin.startsWith('file://') ? fileURLToPath(origin) : origin
    if (isAbsolute(local)) candidates.push(join(local, '../shared/specs'))
  } catch {
    // Not a clone: the first candidates are all there is.
  }
  const found = candidates.find((candidate) => candidate !== undefined && existsSync(join(candidate, 'a2a/v1.0.0/a2a.json')))
  if (found === undefined) {
    throw new Error(`The A2A / OpenID specification files were not found (looked in: ${candidates.filter(Boolean).join(', ')}). Set SENTRYAGENT_SPECS_DIR to the shared specs folder.`)
  }
  return found
}

export const SPECS_DIR = locateSpecs()
const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(join(SPECS_DIR, path), 'utf8')) as Record<string, unknown>

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/**
 * The A2A JSON Schema with its file-name `$ref`s (`lf.a2a.v1.AgentInterface.jsonschema.json`)
 * pointed at its own definitions (keyed by title: "Agent Interface"), nested `$schema`s dropped.
 */
function a2aSchema (): Record<string, unknown> {
  const schema = readJson('a2a/v1.0.0/a2a.json') as { definitions: Record<string, Json> }
  const byMessage = new Map(Object.keys(schema.definitions).map((key) => [key.replace(/ /g, ''), key]))
  const remap = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(remap)
    if (node === null || typeof node !== 'object') return node
    const out: Record<string, Json> = {}
    for (const [key, value] of Object.entries(node)) {
      if (key === '$schema') continue
      if (key === '$ref' && typeof value === 'string') {
        const message = /^(?:lf\.a2a\.v1|google\.protobuf)\.(\w+)\.jsonschema\.json$/.exec(value)?.[1]
        const target = message === undefined ? undefined : byMessage.get(message)
        if (target === undefined) throw new Error(`unmapped $ref ${value}`)
        out[key] = `a2a#/definitions/${encodeURIComponent(target)}`
      } else out[key] = remap(value)
    }
    return out
  }
  return { $id: 'a2a', definitions: remap(schema.definitions) }
}

const ajv = new Ajv2020({ allErrors: true, strict: false })
// ajv-formats is CommonJS: its plugin is the module's default export.
formats.default(ajv)
ajv.addSchema(a2aSchema())

export const validateAgentCard = ajv.compile({ $ref: `a2a#/definitions/${encodeURIComponent('Agent Card')}` })
export const validateOAuthMetadata = ajv.compile(readJson('openid/rfc8414/oauth_authorization_server_metadata.json'))

/** Fields the A2A v1.0.1 proto marks REQUIRED in `message`, camelCased as in JSON. */
export function protoRequiredFields (message: string): string[] {
  const proto = readFileSync(join(SPECS_DIR, 'a2a/v1.0.1/a2a.proto'), 'utf8')
  const body = new RegExp(`\\nmessage ${message} \\{([\\s\\S]*?)\\n\\}`).exec(proto)?.[1]
  if (body === undefined) throw new Error(`message ${message} not in a2a.proto`)
  return [...body.matchAll(/^\s*(?:repeated\s+|optional\s+)?[\w.<>, ]+?\s+(\w+)\s*=\s*\d+\s*\[\(google\.api\.field_behavior\) = REQUIRED\]/gm)]
    .map((match) => match[1]!.replace(/_([a-z])/g, (_all, letter: string) => letter.toUpperCase()))
}
