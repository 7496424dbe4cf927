/**
 * One writer at a time per output directory: an advisory lock file, `.dokomodo/lock`, holding
 * who took it (pid, the process's start time, command, since when, machine, boot).
 *
 * - Taking it is one `link()` of a fully written candidate file: atomic, and a reader of the
 *   lock never sees a half-written holder.
 * - It survives `kill -9` without blocking forever: a lock whose holder is gone (no such pid, a
 *   pid reused by a younger process, or a previous boot) is stale and is taken over. A holder on
 *   another machine (a shared file system) or in another pid namespace (a container sharing the
 *   volume) cannot be checked and is treated as alive; the error says how to clear it by hand.
 * - Taking over a stale lock moves it aside with one `rename()` and checks that what was moved is
 *   the stale holder; if another process took the lock in between, its lock is put back.
 */
import { randomBytes } from 'node:crypto';
import {
  linkSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { DokomodoError } from '../core/errors.ts';
import { makeDirs, pidAlive } from '../core/local.ts';
import { redact } from '../core/redact.ts';

/** Who holds (or held) the lock of an output directory. */
export interface LockHolder {
  pid: number;
  /** The process's start time in clock ticks since boot (`/proc/PID/stat`), to tell a reused pid apart. */
  start: string | null;
  command: string;
  /** ISO time the lock was taken. */
  since: string;
  host: string;
  /** `/proc/sys/kernel/random/boot_id`: a lock from a previous boot is stale. */
  boot: string | null;
  /** The pid namespace (`/proc/self/ns/pid`): a pid from another container cannot be checked here. */
  pidns?: string | null;
}

const LOCK_NAME = 'lock';

function procStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name in field 2 may hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

function pidNamespace(): string | null {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return null;
  }
}

function commandLine(): string {
  const [, script, ...args] = process.argv;
  const name = script && /dokomodo(\.js)?$/.test(script) ? 'dokomodo' : basename(script ?? 'node');
  const line = [name, ...args].join(' ');
  return redact(line.length > 200 ? `${line.slice(0, 199)}…` : line);
}

function me(): LockHolder {
  return {
    pid: process.pid,
    start: procStart(process.pid),
    command: commandLine(),
    since: new Date().toISOString(),
    host: hostname(),
    boot: bootId(),
    pidns: pidNamespace(),
  };
}

function readHolder(file: string): LockHolder | 'corrupt' | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    if (typeof h.pid === 'number' && Number.isInteger(h.pid) && h.pid > 0) return h;
  } catch {
    // fall through
  }
  // Locks are linked into place only when fully written, so this was made by hand or a disk fault.
  return 'corrupt';
}

/** False when the holder is certainly gone; true when it lives or cannot be checked from here. */
export function holderAlive(h: LockHolder): boolean {
  if (h.host !== hostname()) return true;
  const boot = bootId();
  if (h.boot && boot && h.boot !== boot) return false;
  const ns = pidNamespace();
  if (h.pidns && ns && h.pidns !== ns) return true;
  if (!pidAlive(h.pid)) return false;
  const start = procStart(h.pid);
  return !(h.start && start && start !== h.start);
}

function sameHolder(a: LockHolder | 'corrupt' | undefined, b: LockHolder | 'corrupt'): boolean {
  if (a === undefined) return false;
  if (a === 'corrupt' || b === 'corrupt') return a === b;
  return a.pid === b.pid && a.start === b.start && a.since === b.since && a.host === b.host;
}

function lockedError(root: string, h: LockHolder | 'corrupt'): DokomodoError {
  const lock = join(root, '.dokomodo', LOCK_NAME);
  if (h === 'corrupt') {
    return new DokomodoError('render-locked', `${root} is locked by an unreadable lock file ${lock}`, {
      hint: `if no dokomodo render is running on ${root}, remove ${lock}`,
    });
  }
  const where = h.host === hostname() ? '' : ` on ${h.host}`;
  return new DokomodoError(
    'render-locked',
    `another dokomodo is writing ${root}: pid ${h.pid}${where} (${h.command}), since ${h.since}`,
    {
      hint:
        h.host === hostname()
          ? `wait for it to finish and rerun; if pid ${h.pid} runs in another container, and no render runs there, remove ${lock}`
          : `wait for it to finish and rerun; if no render runs on ${h.host}, remove ${lock}`,
    },
  );
}

/** Removes candidate and moved-aside lock files left by processes killed while taking the lock. */
function sweep(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^lock\.(\d+)\.[0-9a-f]+$/.exec(n);
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) {
      try {
        unlinkSync(join(dir, n));
      } catch {
        // another sweeper got it
      }
    }
  }
}

/**
 * Takes the lock of the output directory `root` (creating `root/.dokomodo`) and returns the
 * function that releases it. Throws `render-locked` naming the holder when another live process
 * has it.
 */
export function acquireLock(root: string): () => void {
  const dir = join(root, '.dokomodo');
  makeDirs(dir);
  const lock = join(dir, LOCK_NAME);
  const mine = me();
  const temp = (): string => join(dir, `${LOCK_NAME}.${process.pid}.${randomBytes(6).toString('hex')}`);
  const candidate = temp();
  writeFileSync(candidate, `${JSON.stringify(mine)}\n`, { mode: 0o644 });
  try {
    // Bounded: each round either takes the lock, reports a live holder, or removed a stale one.
    for (let round = 0; round < 8; round++) {
      try {
        linkSync(candidate, lock);
        sweep(dir);
        return () => {
          if (sameHolder(readHolder(lock), mine)) unlinkSync(lock);
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = readHolder(lock);
      if (holder === undefined) continue; // released between our link and our read
      if (holder !== 'corrupt' && holderAlive(holder)) throw lockedError(root, holder);
      const aside = temp();
      try {
        renameSync(lock, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      const moved = readHolder(aside);
      if (sameHolder(moved, holder)) {
        unlinkSync(aside);
        continue;
      }
      // Another process replaced the stale lock just before our rename: give its lock back.
      try {
        linkSync(aside, lock);
      } catch {
        // a third process holds it now; either way, not us
      }
      unlinkSync(aside);
      throw lockedError(root, moved ?? holder);
    }
    const last = readHolder(lock);
    throw lockedError(root, last ?? 'corrupt');
  } finally {
    try {
      unlinkSync(candidate);
    } catch {
      // already gone
    }
  }
}

/** Runs `fn` holding the lock of `root`. */
export function withLock<T>(root: string, fn: () => T): T {
  const release = acquireLock(root);
  try {
    return fn();
  } finally {
    release();
  }
}
