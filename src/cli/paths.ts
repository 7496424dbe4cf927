/** Where the running dokomodo lives: the bundle directory (dist/) and what ships next to it. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DokomodoError } from '../core/errors.ts';

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

export function setDistFromModule(url: string): void {
  globalThis.__dokomodoDist = dirname(fileURLToPath(url));
}
