/**
 * The state store: small documents dokomodo keeps between runs under `~/.dokomodo/` (alert
 * state, and the journals and bootstrap states that move here as the runtime grows). Keys are
 * relative paths (`monitor/alerts.json`); every write is atomic and 0600, directories 0700.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import { expandUserPath } from './local.ts';

export interface StateStore {
  /** The document, or undefined when there is none. */
  read(key: string): string | undefined;
  write(key: string, text: string): void;
  /** Where a key lives, for messages. */
  where(key: string): string;
  /**
   * The keys of the documents under a folder key (`utxo`, `iguana`), sorted; regular files only,
   * at most LIST_LIMIT of them, at most LIST_DEPTH folders deep. Empty when the folder is absent.
   */
  list(folder: string): string[];
}

export const LIST_LIMIT = 100_000;
export const LIST_DEPTH = 8;

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
    list(folder) {
      const top = checkKey(folder);
      const keys: string[] = [];
      const walk = (rel: string, depth: number): void => {
        let names: string[];
        try {
          names = readdirSync(join(dir, rel));
        } catch (e) {
          if (
            (e as NodeJS.ErrnoException).code === 'ENOENT' ||
            (e as NodeJS.ErrnoException).code === 'ENOTDIR'
          )
            return;
          throw e;
        }
        for (const name of names.sort()) {
          if (keys.length >= LIST_LIMIT) return;
          const k = join(rel, name);
          const st = lstatSync(join(dir, k));
          if (st.isFile()) keys.push(k);
          else if (st.isDirectory() && depth < LIST_DEPTH) walk(k, depth + 1);
        }
      };
      walk(top, 1);
      return keys.sort();
    },
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
    list(folder) {
      const prefix = `${checkKey(folder)}${sep}`;
      return [...docs.keys()]
        .filter((k) => k.startsWith(prefix))
        .sort()
        .slice(0, LIST_LIMIT);
    },
  };
}
