/** Facts about this machine's processes and paths, for the commands that act on it. */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `~` and `~/…` expanded to this user's home ($HOME, else the account's home directory). */
export function expandUserPath(path: string): string {
  const home = process.env['HOME'] || homedir();
  if (path === '~') return home;
  return path.startsWith('~/') ? join(home, path.slice(2)) : path;
}
