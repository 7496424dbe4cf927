/** Where the running dokomodo lives: the bundle directory (dist/) and what ships next to it. */
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DokomodoError, ExitCode } from '../core/errors.ts';
import { makeDirs } from '../core/local.ts';

declare global {
  // Set by main.ts: the directory of dist/main.js.
  var __dokomodoDist: string | undefined;
}

export function distDir(): string {
  return globalThis.__dokomodoDist ?? resolve('dist');
}

/** The devnet komodod simulator (dist/komodod.js). */
export function devnetBinary(): string {
  const file = join(distDir(), 'komodod.js');
  if (!existsSync(file)) {
    throw new DokomodoError('devnet-missing', `the devnet simulator ${file} is missing`, {
      hint: 'run `npm run build` first',
    });
  }
  return file;
}

/** The devnet Iguana simulator (dist/iguana.js). */
export function devnetIguanaBinary(): string {
  const file = join(distDir(), 'iguana.js');
  if (!existsSync(file)) {
    throw new DokomodoError('devnet-missing', `the devnet simulator ${file} is missing`, {
      hint: 'run `npm run build` first',
    });
  }
  return file;
}

export function setDistFromModule(url: string): void {
  globalThis.__dokomodoDist = dirname(fileURLToPath(url));
}

const WHY: Record<string, string> = {
  ENOENT: 'a directory on the way cannot be created',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the filesystem is read-only',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'a directory is in the way',
  EEXIST: 'something else is in the way',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'over the disk quota',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many symbolic links',
};

/**
 * A file or directory under a path option that cannot be written (missing under /proc,
 * read-only, not a directory, no permission): the path given is unusable, a usage error rather
 * than a bug. Anything that is not a filesystem error is passed through.
 */
export function unusablePath(e: unknown, flag: string, given: string, path: string, hint?: string): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (e instanceof DokomodoError || typeof code !== 'string') return e;
  const where = path === given ? '' : `cannot write ${path}: `;
  // `start` reports its chains' data directories as datadir-unusable: the same words here.
  const dokCode = flag === '--datadir' ? 'datadir-unusable' : 'path-unusable';
  return new DokomodoError(dokCode, `${flag} ${given}: ${where}${WHY[code] ?? code}`, {
    hint: hint ?? `point ${flag} at a directory you can write`,
    exitCode: ExitCode.usage,
    cause: e,
  });
}

/** Creates the directory a path option names (mode for new levels); unusable is a usage error. */
export function usableDir(flag: string, dir: string, mode = 0o700): void {
  try {
    makeDirs(dir, mode);
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw unusablePath(e, flag, dir, dir);
  }
}
