/** What the devnet commands share: the banner, the data directory, the pid file. */
import { pidAlive } from '../../../core/local.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expandLocal } from '../../../operator/daemon/local.ts';

export const BANNER = 'dokomodo devnet — a SIMULATOR of komodod and Iguana (no real chain, no real coins)';

export function devnetDir(opts: { datadir?: string }): string {
  return resolve(expandLocal(opts.datadir ?? '~/.dokomodo/devnet'));
}

export function readPid(dir: string): number | undefined {
  const f = join(dir, 'devnet.pid');
  if (!existsSync(f)) return undefined;
  const pid = Number(readFileSync(f, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && pidAlive(pid) ? pid : undefined;
}
