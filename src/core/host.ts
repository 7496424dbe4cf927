/**
 * The injected host: every piece of I/O the core needs goes through one of these small interfaces,
 * so the core runs in memory in tests and against the real system in the CLI.
 */
import { readFileSync, statSync } from 'node:fs';

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
      try {
        return { text: readFileSync(path, 'utf8') };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        return {
          error:
            code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code ?? e),
        };
      }
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
