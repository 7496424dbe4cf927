/**
 * The one way dokomodo replaces a single file: a temporary file beside it (created exclusively,
 * exactly the requested mode whatever the umask), written and fsynced, renamed over the target,
 * then the directory fsynced. A crash leaves the old file or the new one, never a torn one, and a
 * secret is never readable by others, not even for the moment between create and chmod.
 *
 * The render writer stages whole trees and makes them durable with one syncfs instead; it is the
 * one other writer, for trees (compiler/write.ts).
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { makeDirs } from './local.ts';

export interface AtomicWriteOptions {
  /** File mode of the result; default 0o600 (most of what dokomodo writes holds a secret). */
  mode?: number;
  /** Mode of directories created on the way; default 0o700. */
  dirMode?: number;
  /**
   * False: create the file only if it does not exist (a link instead of the rename, so a file
   * that appears meanwhile is never clobbered; EEXIST then). Default true.
   */
  replace?: boolean;
}

/** The temporary name of a write in progress: hidden, unique per process and call. */
export function temporaryName(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

export function writeFileAtomic(
  file: string,
  content: string | Uint8Array,
  opts: AtomicWriteOptions = {},
): void {
  const mode = opts.mode ?? 0o600;
  const dir = dirname(file);
  makeDirs(dir, opts.dirMode ?? 0o700);
  const tmp = temporaryName(file);
  const fd = openSync(tmp, 'wx', mode);
  try {
    try {
      fchmodSync(fd, mode);
      const bytes = typeof content === 'string' ? Buffer.from(content) : content;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (opts.replace === false) {
      linkSync(tmp, file);
      unlinkSync(tmp);
    } else {
      renameSync(tmp, file);
    }
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed or never created: nothing to clean
    }
    throw e;
  }
  syncDir(dir);
}

/** Makes a rename or unlink in `dir` durable. Some file systems refuse fsync on a directory. */
export function syncDir(dir: string): void {
  let dfd: number | undefined;
  try {
    dfd = openSync(dir, 'r');
    fsyncSync(dfd);
  } catch {
    // the rename itself is still atomic
  } finally {
    if (dfd !== undefined) closeSync(dfd);
  }
}
