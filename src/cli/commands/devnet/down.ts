/** `dokomodo devnet down`: stop a detached devnet. */
import { pidAlive } from '../../../core/local.ts';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../../../core/errors.ts';
import type { Context } from '../../context.ts';
import { devnetDir, readPid } from './common.ts';

export async function devnetDown(ctx: Context, opts: { datadir?: string }): Promise<number> {
  const dir = devnetDir(opts);
  const pid = readPid(dir);
  if (pid === undefined) {
    ctx.out.stdout('devnet not running\n');
    return ExitCode.ok;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(join(dir, 'devnet.pid'), { force: true });
  ctx.out.stdout(`devnet stopped (pid ${pid})\n`);
  return ExitCode.ok;
}
