import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { escaperFor } from './escaping.js'
import { LANGUAGES, type Language } from './languages.js'
import { TemplateError } from './errors.js'

/** The templates shipped with the package: `common/` goes into every starter, `<language>/` into its own. */
export const templatesDirectory = fileURLToPath(new URL('../templates', import.meta.url))

export interface StarterFile {
  /** Relative to the starter's root folder, with `/` separators. */
  path: string
  content: string
  /** Unix permissions: scripts (a `#!` first line) are executable. */
  mode: number
}

/** What the placeholders `{{NAME}}` of the templates are filled with. */
export interface StarterValues {
  AGENT_ID: string
  API_URL: string
  API_PREFIX: string
  PROJECT_NAME: string
  RUST_SDK_VERSION: string
}

const PLACEHOLDER = /\{\{([A-Z_]+)\}\}/g
const PLACEHOLDER_NAMES: ReadonlySet<string> = new Set<keyof StarterValues>(['AGENT_ID', 'API_URL', 'API_PREFIX', 'PROJECT_NAME', 'RUST_SDK_VERSION'])

/** The starter templates, read once at registration: generating a ZIP touches no disk. */
export class TemplateLibrary {
  readonly #files: ReadonlyMap<Language, readonly StarterFile[]>

  private constructor (files: ReadonlyMap<Language, readonly StarterFile[]>) {
    this.#files = files
  }

  static async load (directory = templatesDirectory): Promise<TemplateLibrary> {
    const common = await readTemplates(join(directory, 'common'))
    const files = new Map<Language, StarterFile[]>()
    for (const language of LANGUAGES) {
      const own = await readTemplates(join(directory, language))
      if (own.length === 0) throw new TemplateError(`no templates for ${language} in ${directory}`)
      files.set(language, [...common, ...own].sort((a, b) => a.path.localeCompare(b.path)))
    }
    return new TemplateLibrary(files)
  }

  /** The language's files with every placeholder filled, each value escaped for its file's syntax. */
  render (language: Language, values: StarterValues): StarterFile[] {
    return (this.#files.get(language) ?? []).map((file) => {
      const escape = escaperFor(file.path)
      // Every placeholder name was checked when the templates were loaded.
      const content = file.content.replace(PLACEHOLDER, (_, name: string) => escape(values[name as keyof StarterValues]))
      return { ...file, content }
    })
  }
}

/**
 * Files under `directory`. A leading `_` in a name stands for a dot (packers drop or rename
 * dotfiles); a trailing `.template` is dropped (keeps a starter's `.ts` out of this package's
 * sources, its build and its lint).
 */
async function readTemplates (directory: string): Promise<StarterFile[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return []
    throw error
  })
  const files: StarterFile[] = []
  for (const entry of entries.filter((candidate) => candidate.isFile())) {
    const absolute = join(entry.parentPath, entry.name)
    const content = await readFile(absolute, 'utf8')
    const path = relative(directory, absolute).split(sep).map((part) => part.replace(/^_/, '.').replace(/\.template$/, '')).join('/')
    for (const [, name] of content.matchAll(PLACEHOLDER)) {
      if (!PLACEHOLDER_NAMES.has(name!)) throw new TemplateError(`unknown placeholder {{${name!}}} in ${absolute}`)
    }
    files.push({ path, content, mode: content.startsWith('#!') ? 0o755 : 0o644 })
  }
  return files
}
