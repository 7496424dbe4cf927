/** `dokomodo stats`: notarizations, UTXOs and funds of every chain. */
import { ExitCode } from '../../core/errors.ts';
import { selectChains } from '../../platform/select.ts';
import { statsAll } from '../../operator/stats.ts';
import { type Context, loadRuntime } from '../context.ts';
import { printJson } from '../output.ts';
import { statsTable } from '../views/stats.ts';

export async function stats(
  ctx: Context,
  chains: string[],
  /** Durations in seconds, parsed by the options (cli/options.ts). */
  opts: { watch?: boolean; interval?: number; window?: number; datadir?: string },
): Promise<number> {
  const windowSeconds = Math.round(opts.window ?? 86400);
  const interval = opts.interval ?? 30;
  const { platform, selection, runtime } = await loadRuntime(ctx);
  const targets = selectChains(platform, selection, chains);
  for (;;) {
    const s = await statsAll(runtime, targets, { windowSeconds, datadir: opts.datadir });
    if (ctx.opts.json) printJson(ctx.out, s);
    else {
      if (opts.watch && process.stdout.isTTY) ctx.out.stdout('\x1b[2J\x1b[H');
      ctx.out.stdout(statsTable(ctx.out, s));
    }
    if (!opts.watch) return s.some((c) => c.state === 'error') ? ExitCode.failure : ExitCode.ok;
    await new Promise((r) => setTimeout(r, interval * 1000));
  }
}
