import { constants } from 'node:fs'
import { chmod, lstat, mkdir, open, readdir, realpath } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'
import yauzl, { type Entry, type ZipFile } from 'yauzl'
import { CliError, EXIT } from '../exit-codes.js'

// A starter is a few dozen small files: anything far bigger is not one.
const MAX_ENTRIES = 5_000
const MAX_TOTAL_BYTES = 100 * 1024 * 1024

const S_IFMT = 0o170000
const S_IFREG = 0o100000
const S_IFDIR = 0o040000
// Refuses to follow a symbolic link planted where a file is written (with --force, in an existing tree).
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW

export interface UnpackResult { root: string, directory: string, files: number }

interface PlannedEntry { entry: Entry, path: string, directory: boolean, mode: number }

/** The archive's single root folder: where it unpacks when no directory is given. */
export async function rootFolderOf (archive: Buffer): Promise<string> {
  const zip = await openArchive(archive)
  try {
    return (await plan(zip, resolve('.'))).root
  } finally {
    zip.close()
  }
}

/**
 * Unpacks the archive's single root folder into `target`. Every entry is checked before anything
 * is written: absolute paths, `..`, backslashes, links and other special files, and paths that
 * would land outside `target` refuse the whole archive. An existing non-empty `target` is only
 * written into with `force`. File modes are kept (without setuid/setgid/sticky bits).
 */
export async function unpackZip (archive: Buffer, target: string, { force = false } = {}): Promise<UnpackResult> {
  const directory = resolve(target)
  const zip = await openArchive(archive)
  try {
    const { root, entries } = await plan(zip, directory)
    await prepareDirectory(directory, force)
    const realDirectory = await realpath(directory)
    for (const planned of entries) await write(zip, planned, realDirectory)
    return { root, directory, files: entries.filter((planned) => !planned.directory).length }
  } finally {
    zip.close()
  }
}

async function openArchive (archive: Buffer): Promise<ZipFile> {
  try {
    // yauzl itself refuses absolute paths, `..` segments and backslashes in names (decodeStrings).
    return await yauzl.fromBufferPromise(archive, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: true })
  } catch (error) {
    throw unsafe(`not a readable ZIP archive (${(error as Error).message})`)
  }
}

async function plan (zip: ZipFile, directory: string): Promise<{ root: string, entries: PlannedEntry[] }> {
  const entries: PlannedEntry[] = []
  let root: string | undefined
  let total = 0
  try {
    for await (const entry of zip.eachEntry()) {
      if (entries.length >= MAX_ENTRIES) throw unsafe(`more than ${MAX_ENTRIES} entries`)
      total += entry.uncompressedSize
      if (total > MAX_TOTAL_BYTES) throw unsafe(`more than ${MAX_TOTAL_BYTES / 1024 / 1024} MB unpacked`)
      if (entry.isEncrypted()) throw unsafe(`encrypted entry ${entry.fileName}`)
      const [first, ...rest] = entry.fileName.split('/')
      root ??= first
      if (first === '' || first === '.' || first !== root || (rest.length === 0 && !entry.fileName.endsWith('/'))) {
        throw unsafe(`entries must share one root folder: ${entry.fileName}`)
      }
      const inside = rest.filter((segment) => segment !== '').join('/')
      if (inside === '') continue
      const path = resolve(directory, inside)
      if (relative(directory, path).startsWith('..') || !path.startsWith(directory + sep)) throw unsafe(`entry escapes the target directory: ${entry.fileName}`)
      entries.push({ entry, path, ...kindOf(entry) })
    }
  } catch (error) {
    throw error instanceof CliError ? error : unsafe((error as Error).message)
  }
  if (root === undefined) throw unsafe('the archive is empty')
  return { root, entries }
}

/** Directory or regular file, and its permission bits; anything else (links, devices) refuses the archive. */
function kindOf (entry: Entry): { directory: boolean, mode: number } {
  const unixMode = entry.externalFileAttributes >>> 16
  const type = unixMode & S_IFMT
  const named = entry.fileName.endsWith('/')
  // Archives made on other systems carry no Unix type: the name alone says directory or file.
  if (type === 0) return { directory: named, mode: named ? 0o755 : 0o644 }
  if (type === S_IFDIR) return { directory: true, mode: (unixMode & 0o777) | 0o700 }
  if (type === S_IFREG && !named) return { directory: false, mode: (unixMode & 0o777) | 0o600 }
  throw unsafe(`${type === 0o120000 ? 'symbolic link' : 'special file'} entry ${entry.fileName}`)
}

async function prepareDirectory (directory: string, force: boolean): Promise<void> {
  const existing = await lstat(directory).catch(() => undefined)
  if (existing === undefined) {
    await mkdir(directory, { recursive: true })
    return
  }
  if (!existing.isDirectory()) throw new CliError(EXIT.DIRECTORY_NOT_EMPTY, `${directory} exists and is not a directory`, 'DIRECTORY_NOT_EMPTY')
  if (!force && (await readdir(directory)).length > 0) {
    throw new CliError(EXIT.DIRECTORY_NOT_EMPTY, `${directory} is not empty: choose another --out, or pass --force to write into it`, 'DIRECTORY_NOT_EMPTY')
  }
}

async function write (zip: ZipFile, { entry, path, directory, mode }: PlannedEntry, realDirectory: string): Promise<void> {
  const folder = directory ? path : dirname(path)
  // An existing tree (--force) may hold a link that points a folder elsewhere: check before creating anything.
  await assertInside(await deepestExisting(folder), realDirectory)
  await mkdir(folder, { recursive: true, mode: 0o755 })
  const realFolder = await assertInside(folder, realDirectory)
  if (directory) {
    await chmod(path, mode)
    return
  }
  const file = await open(join(realFolder, relative(folder, path)), WRITE_FLAGS, mode).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'ELOOP' ? leadsOutside(path) : error
  })
  await pipeline(await zip.openReadStreamPromise(entry), file.createWriteStream())
  // The umask trimmed the mode at creation, and an existing file keeps its old one.
  await chmod(path, mode)
}

async function deepestExisting (path: string): Promise<string> {
  let current = path
  while (await lstat(current).then(() => false, () => true)) current = dirname(current)
  return current
}

async function assertInside (path: string, realDirectory: string): Promise<string> {
  const real = await realpath(path)
  if (real !== realDirectory && !real.startsWith(realDirectory + sep)) throw leadsOutside(path)
  return real
}

function leadsOutside (path: string): CliError {
  return new CliError(EXIT.UNSAFE_ARCHIVE, `Stopped unpacking: ${path} is a link in the existing tree that leads outside the target directory`, 'UNSAFE_ARCHIVE')
}

function unsafe (reason: string): CliError {
  return new CliError(EXIT.UNSAFE_ARCHIVE, `Refusing to unpack the archive: ${reason}. Nothing was written.`, 'UNSAFE_ARCHIVE')
}
