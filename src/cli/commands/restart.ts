/** `dokomodo restart`: stop, then start. */
import { ExitCode } from '../../core/errors.ts';
import type { Context } from '../context.ts';
import { start } from './start.ts';
import { stop } from './stop.ts';
import type { LifecycleCliOptions } from '../views/lifecycle.ts';

export async function restart(ctx: Context, chains: string[], opts: LifecycleCliOptions): Promise<number> {
  const stopped = await stop(ctx, chains, opts);
  if (stopped !== ExitCode.ok) return stopped;
  return start(ctx, chains, opts);
}
