/**
 * The state store: small documents dokomodo keeps between runs under `~/.dokomodo/` (alert
 * state, and the journals and bootstrap states that move here as the runtime grows). Keys are
 * relative paths (`monitor/alerts.json`); every write is atomic and 0600, directories 0700.
 */
import { readFileSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import { expandUserPath } from './local.ts';

export interface StateStore {
  /** The document, or undefined when there is none. */
  read(key: string): string | undefined;
  write(key: string, text: string): void;
  /** Where a key lives, for messages. */
  where(key: string): string;
}

export const DEFAULT_STATE_DIR = '~/.dokomodo';

function checkKey(key: string): string {
  const k = normalize(key);
  if (k.startsWith('..') || k.startsWith(sep) || k === '.' || k.includes(`${sep}..${sep}`)) {
    throw new Error(`state key ${key} leaves the state directory`);
  }
  return k;
}

export function fileStateStore(root: string = DEFAULT_STATE_DIR): StateStore {
  const dir = expandUserPath(root);
  return {
    read(key) {
      try {
        return readFileSync(join(dir, checkKey(key)), 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    write(key, text) {
      writeFileAtomic(join(dir, checkKey(key)), text, { mode: 0o600, dirMode: 0o700 });
    },
    where: (key) => join(dir, checkKey(key)),
  };
}

export function memoryStateStore(
  initial: Record<string, string> = {},
): StateStore & { docs: Map<string, string> } {
  const docs = new Map(Object.entries(initial));
  return {
    docs,
    read: (key) => docs.get(checkKey(key)),
    write: (key, text) => void docs.set(checkKey(key), text),
    where: (key) => `memory:${checkKey(key)}`,
  };
}
