/** `dokomodo devnet status`: is a devnet running. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../../../core/errors.ts';
import type { Context } from '../../context.ts';
import { BANNER, devnetDir, readPid } from './common.ts';

export async function devnetStatus(ctx: Context, opts: { datadir?: string }): Promise<number> {
  const dir = devnetDir(opts);
  const pid = readPid(dir);
  if (pid === undefined) {
    if (ctx.opts.json) ctx.out.stdout(`${JSON.stringify({ running: false, simulator: true })}\n`);
    else ctx.out.stdout('devnet not running\n');
    return ExitCode.ok;
  }
  const info = JSON.parse(readFileSync(join(dir, 'devnet.json'), 'utf8')) as {
    chains: number;
    iguana: number;
    file: string;
  };
  if (ctx.opts.json) ctx.out.stdout(`${JSON.stringify({ running: true, simulator: true, pid, ...info })}\n`);
  else
    ctx.out.stdout(
      `${BANNER}\nrunning: pid ${pid}, ${info.chains} chains, ${info.iguana} Iguana instance(s), platform ${info.file}\n`,
    );
  return ExitCode.ok;
}
