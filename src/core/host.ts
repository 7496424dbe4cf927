/**
 * The injected host: every piece of I/O the core needs goes through one of these small interfaces,
 * so the core runs in memory in tests and against the real system in the CLI.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';

/** Reads a file the platform refers to; `undefined` when it does not exist or cannot be read. */
export interface FileReader {
  read(path: string): { text: string } | { error: string };
}

export interface SystemHost extends FileReader {
  env: Readonly<Record<string, string | undefined>>;
  cwd(): string;
  /** File mode bits (e.g. 0o600), or undefined when the file does not exist. */
  mode(path: string): number | undefined;
}

export function nodeHost(): SystemHost {
  return {
    env: process.env,
    cwd: () => process.cwd(),
    read(path) {
      const got = readRegularFile(path, MAX_READ_BYTES);
      if ('bytes' in got) return { text: Buffer.from(got.bytes).toString('utf8') };
      return { error: got.reason };
    },
    mode(path) {
      try {
        return statSync(path).mode & 0o7777;
      } catch {
        return undefined;
      }
    },
  };
}

/** Files the platform refers to (notary lists, secrets) are small; anything larger is refused. */
export const MAX_READ_BYTES = 16 * 1024 * 1024;

export type ReadResult =
  | { bytes: Uint8Array }
  | {
      /** `not-a-file`: a directory, device, FIFO or socket; `too-large`: over the limit. */
      kind: 'not-found' | 'no-access' | 'not-a-file' | 'too-large' | 'other';
      /** Short words for a message: "no such file", "a directory", … */
      reason: string;
      size?: number;
    };

/**
 * Reads a regular file of at most `max` bytes. Devices, FIFOs and directories are refused from
 * the open descriptor before any read: /dev/zero never ends and a FIFO blocks until a writer
 * comes (O_NONBLOCK makes the open itself return at once).
 */
export function readRegularFile(path: string, max: number): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return openFailure(e);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const what = st.isDirectory()
        ? 'a directory'
        : st.isFIFO()
          ? 'a FIFO (named pipe)'
          : st.isSocket()
            ? 'a socket'
            : 'a device';
      return { kind: 'not-a-file', reason: `is ${what}, not a regular file` };
    }
    if (st.size > max) return { kind: 'too-large', reason: 'is too large', size: st.size };
    // The size is a hint only (files under /proc say 0): read until the end or past the limit.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(Math.max(st.size + 1, 65536), max + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > max) return { kind: 'too-large', reason: 'is too large', size: total };
    }
    return { bytes: Buffer.concat(chunks, total) };
  } catch (e) {
    return openFailure(e);
  } finally {
    closeSync(fd);
  }
}

function openFailure(e: unknown): ReadResult {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'not-found', reason: 'no such file' };
  if (code === 'EACCES' || code === 'EPERM') return { kind: 'no-access', reason: 'permission denied' };
  if (code === 'EISDIR') return { kind: 'not-a-file', reason: 'is a directory, not a regular file' };
  return { kind: 'other', reason: String(code ?? e) };
}

/** An in-memory host for tests. */
export function memoryHost(
  files: Record<string, string>,
  env: Record<string, string> = {},
  modes: Record<string, number> = {},
): SystemHost {
  return {
    env,
    cwd: () => '/work',
    read: (path) => (path in files ? { text: files[path]! } : { error: 'no such file' }),
    mode: (path) => (path in files ? (modes[path] ?? 0o600) : undefined),
  };
}
