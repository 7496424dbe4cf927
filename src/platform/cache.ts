/**
 * A cache of loaded platforms, so that commands run again and again over the same file (status
 * every minute, rpc, start) do not parse, validate and normalize it every time: at 1000 chains
 * that is most of a command's own work, at 8192 half a second.
 *
 * An entry is keyed by everything a load depends on: the build of dokomodo, the working
 * directory, the path as named and the file's bytes. The files the load read besides (elected
 * notary lists) are recorded with a hash of what was read and read again on every use: any
 * difference is a miss. Only loads without errors are kept, warnings included, so a command
 * prints the same diagnostics either way. The cache is best effort: a missing, foreign, corrupt
 * or unwritable cache is a full load, never an error.
 *
 * Entries hold what the platform file holds (secrets are named there, never given), in a
 * directory of mode 0700 owned by the user, each file 0600 and written whole (temporary file,
 * then rename). `DOKOMODO_PLATFORM_CACHE=off` turns it off; at most `MAX_ENTRIES` are kept.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { type FileReader, nodeHost, readRegularFile } from '../core/host.ts';
import { MAX_PLATFORM_BYTES } from './limits.ts';
import type { LoadResult } from './load.ts';

/** The loader (js-yaml, zod, normalize) is loaded only when an entry is missing: a hit needs none of it. */
const loader = () => import('./index.ts');

declare const __DOKOMODO_BUILD__: string;
/** Set by the bundler from the sources and the locked dependencies; unset (no cache) when run from src. */
const BUILD = typeof __DOKOMODO_BUILD__ === 'string' ? __DOKOMODO_BUILD__ : undefined;

export const MAX_ENTRIES = 32;
const FORMAT = 1;

/** What one other file read during the load gave: the hash of its text, or the error. */
interface Dependency {
  path: string;
  got: string;
}

interface Entry {
  format: number;
  deps: Dependency[];
  result: LoadResult;
}

export interface CacheOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** The cache directory; default `$XDG_CACHE_HOME/dokomodo/platform` or `~/.cache/dokomodo/platform`. */
  dir?: string;
  /** The build the entries belong to (tests); default this build's. */
  build?: string;
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

function cacheDir(env: Readonly<Record<string, string | undefined>>): string {
  const base = env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache');
  return join(base, 'dokomodo', 'platform');
}

/** What a read gave, in the words a dependency is recorded with. */
function gave(got: ReturnType<FileReader['read']>): string {
  return 'text' in got ? `text:${sha256(got.text)}` : `error:${got.error}`;
}

/** Only a directory of ours that no one else can write into is trusted with entries. */
function usableDir(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    const uid = process.getuid?.();
    return st.isDirectory() && (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function readEntry(file: string, reader: FileReader): LoadResult | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    const uid = process.getuid?.();
    if (!st.isFile() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) return undefined;
    const entry = deserialize(readFileSync(fd)) as Entry;
    if (entry?.format !== FORMAT || !Array.isArray(entry.deps) || !entry.result?.platform) return undefined;
    for (const d of entry.deps) if (gave(reader.read(d.path)) !== d.got) return undefined;
    return entry.result;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether we may make `dir`: its nearest existing ancestor must be ours. Under `sudo` with the
 * invoking user's HOME, root would otherwise leave root-owned directories in that user's home.
 */
function ours(dir: string): boolean {
  const uid = process.getuid?.();
  if (uid === undefined) return true;
  for (let d = dir; ; d = dirname(d)) {
    try {
      return statSync(d).uid === uid;
    } catch {
      if (dirname(d) === d) return false;
    }
  }
}

function writeEntry(dir: string, file: string, entry: Entry): void {
  try {
    if (!ours(dir)) return;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!usableDir(dir)) return;
    const tmp = `${file}.${process.pid}.tmp`;
    // One a killed process of the same pid left behind.
    rmSync(tmp, { force: true });
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      try {
        const bytes = serialize(entry);
        for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
    } catch (e) {
      // A full disk: no partial entry stays behind.
      rmSync(tmp, { force: true });
      throw e;
    }
    prune(dir);
  } catch {
    // best effort: the next load is a full one
  }
}

/** Keeps the newest `MAX_ENTRIES` entries (and drops temporary files a killed writer left). */
function prune(dir: string): void {
  const names = readdirSync(dir);
  if (names.length <= MAX_ENTRIES) return;
  const aged: { name: string; t: number }[] = [];
  for (const name of names) {
    try {
      aged.push({ name, t: statSync(join(dir, name)).mtimeMs });
    } catch {}
  }
  aged.sort((a, b) => b.t - a.t);
  for (const { name } of aged.slice(MAX_ENTRIES)) {
    try {
      unlinkSync(join(dir, name));
    } catch {}
  }
}

/** Loads the platform file as `loadPlatformFile` does, through the cache when it can. */
export async function loadPlatformCached(file: string, opts: CacheOptions = {}): Promise<LoadResult> {
  const env = opts.env ?? process.env;
  const build = opts.build ?? BUILD;
  if (build === undefined || env['DOKOMODO_PLATFORM_CACHE'] === 'off')
    return (await loader()).loadPlatformFile(file);
  const got = readRegularFile(file, MAX_PLATFORM_BYTES);
  // Every refusal (missing, a FIFO, too large, …) is the loader's to word.
  if (!('bytes' in got)) return (await loader()).loadPlatformRead(file, got);
  const dir = opts.dir ?? cacheDir(env);
  const key = createHash('sha256')
    .update(JSON.stringify([FORMAT, build, process.cwd(), file]))
    .update('\0')
    .update(got.bytes)
    .digest('hex');
  const entryFile = join(dir, key);
  const host = nodeHost();
  if (usableDir(dir)) {
    const hit = readEntry(entryFile, host);
    if (hit) return hit;
  }
  const deps: Dependency[] = [];
  const recording: FileReader = {
    read(path) {
      const r = host.read(path);
      deps.push({ path, got: gave(r) });
      return r;
    },
  };
  const result = (await loader()).loadPlatformRead(file, got, recording);
  if (result.platform) writeEntry(dir, entryFile, { format: FORMAT, deps, result });
  return result;
}
