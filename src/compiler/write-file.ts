/**
 * The writer's file primitives: hashing a content, creating a file, making directories once.
 * Shared by the writer (write.ts) and its background thread (write-worker.ts), so both write a
 * file the same way.
 */
import { hash } from 'node:crypto';
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export const umask = process.umask();

/** Contents this long are encoded and hashed once however many files carry them (the platform file in every compose directory). */
export const SHARED_CONTENT = 64 * 1024;

// The one-shot form: no Hash object per file (tens of thousands at scale).
export const sha256 = (data: string | Uint8Array): string => hash('sha256', data, 'hex');

export interface Encoded {
  bytes: string | Buffer;
  sha256: string;
}

/**
 * What to write for a content, and its hash. Short contents stay strings: Node encodes them
 * straight into the write and the hash, with no Buffer for the garbage collector to chase. Long
 * ones are encoded and hashed once per distinct content (each encoder keeps its own).
 */
export class Encoder {
  private readonly shared = new Map<string, Encoded>();
  encode(content: string): Encoded {
    if (content.length < SHARED_CONTENT) return { bytes: content, sha256: sha256(content) };
    let e = this.shared.get(content);
    if (e === undefined) {
      const bytes = Buffer.from(content);
      e = { bytes, sha256: sha256(bytes) };
      this.shared.set(content, e);
    }
    return e;
  }
}

/** Creates `file` with `data`: open, write, close, nothing else. */
export function writeNew(file: string, data: string | Uint8Array, mode: number): void {
  const fd = openSync(file, 'w', mode);
  try {
    if (typeof data === 'string') {
      const done = writeSync(fd, data);
      // A short write of a string can only be finished from its bytes (ASCII: bytes = length).
      if (done !== data.length && done < Buffer.byteLength(data))
        writeFileSync(fd, Buffer.from(data).subarray(done));
    } else {
      let done = 0;
      while (done < data.length) done += writeSync(fd, data, done);
    }
  } finally {
    closeSync(fd);
  }
}

/** Directories made in one generation, so each costs one mkdir. */
export class Dirs {
  private readonly made = new Set<string>();
  constructor(root: string) {
    this.made.add(root);
  }
  mark(dir: string): void {
    this.made.add(dir);
  }
  has(dir: string): boolean {
    return this.made.has(dir);
  }
  /** Every directory made or marked (for another Dirs of the same generation to learn). */
  all(): IterableIterator<string> {
    return this.made.values();
  }
  ensure(dir: string): void {
    if (this.made.has(dir)) return;
    this.ensure(dirname(dir));
    try {
      mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A link carried over from the old tree must not lead writes out of the generation.
      if (!lstatSync(dir).isDirectory()) {
        throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), {
          code: 'ENOTDIR',
          path: dir,
        });
      }
    }
    this.made.add(dir);
  }
}

/** Creates `file` in a generation: its directory (each made once), the bytes, and exactly `mode`. */
export function createFile(dirs: Dirs, file: string, data: string | Uint8Array, mode: number): void {
  dirs.ensure(dirname(file));
  writeNew(file, data, mode);
  // The umask may have taken bits away from the requested mode: put them back.
  if ((mode & umask) !== 0) chmodSync(file, mode);
}
