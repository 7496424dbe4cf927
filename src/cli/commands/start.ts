/** `dokomodo start`: start chains, each counted as started when its RPC answers. */
import { selectChains } from '../../platform/select.ts';
import { startChains } from '../../operator/lifecycle.ts';
import { type Context, loadRuntime } from '../context.ts';
import { type LifecycleCliOptions, finish, lifecycleOptions } from '../views/lifecycle.ts';

export async function start(ctx: Context, chains: string[], opts: LifecycleCliOptions): Promise<number> {
  const { platform, selection, runtime } = await loadRuntime(ctx);
  const targets = selectChains(platform, selection, chains);
  const results = await startChains(runtime, targets, lifecycleOptions(ctx, opts, 'start'));
  return finish(ctx, 'start', results);
}
