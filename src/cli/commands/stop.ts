/** `dokomodo stop`: RPC stop, wait, then signals. */
import { selectChains } from '../../platform/select.ts';
import { stopChains } from '../../operator/lifecycle.ts';
import { type Context, loadRuntime } from '../context.ts';
import { type LifecycleCliOptions, finish, lifecycleOptions } from '../views/lifecycle.ts';

export async function stop(ctx: Context, chains: string[], opts: LifecycleCliOptions): Promise<number> {
  const { platform, selection, runtime } = await loadRuntime(ctx);
  const targets = selectChains(platform, selection, chains);
  const results = await stopChains(
    runtime,
    targets,
    lifecycleOptions(ctx, { ...opts, devnet: false }, 'stop'),
  );
  return finish(ctx, 'stop', results);
}
