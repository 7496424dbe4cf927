/** `dokomodo status`: every chain and Iguana instance at a glance (or `--watch`). */
import { ExitCode } from '../../core/errors.ts';
import { selectChains } from '../../platform/select.ts';
import { collectStatus, FAILED_STATES } from '../../operator/status.ts';
import { type Context, loadRuntime } from '../context.ts';
import { printJson } from '../output.ts';
import { statusTable } from '../views/status.ts';

export async function status(
  ctx: Context,
  chains: string[],
  opts: { watch?: boolean; interval?: number },
): Promise<number> {
  const { platform, selection, runtime } = await loadRuntime(ctx);
  const targets = selectChains(platform, selection, chains);
  const interval = (opts.interval ?? 5) * 1000;
  for (;;) {
    const s = await collectStatus(runtime, targets);
    if (ctx.opts.json) printJson(ctx.out, s);
    else {
      if (opts.watch && process.stdout.isTTY) ctx.out.stdout('\x1b[2J\x1b[H');
      ctx.out.stdout(statusTable(ctx.out, s.chains, s.iguana));
    }
    if (!opts.watch) return s.chains.some((c) => FAILED_STATES.has(c.state)) ? ExitCode.failure : ExitCode.ok;
    await new Promise((r) => setTimeout(r, interval));
  }
}
