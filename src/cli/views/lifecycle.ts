/** How start, stop and restart tell their progress and results. */
import { ExitCode, usageError } from '../../core/errors.ts';
import type { LifecycleOptions } from '../../operator/lifecycle.ts';
import { summary, type TargetResult } from '../../operator/fanout.ts';
import type { Context } from '../context.ts';
import { paint, printJson } from '../output.ts';
import { devnetBinary } from '../paths.ts';

export interface LifecycleCliOptions {
  devnet?: boolean;
  datadir?: string;
  /** Parsed by the option (cli/options.ts), like every number below. */
  concurrency?: number;
  /** Seconds. */
  warmup?: number;
}

export function concurrencyOf(value: number | undefined, fallback: number): number {
  return value ?? fallback;
}

export function lifecycleOptions(
  ctx: Context,
  opts: LifecycleCliOptions,
  verb: 'start' | 'stop',
): LifecycleOptions {
  const lastStatus = new Map<string, string>();
  if (opts.warmup !== undefined && !opts.devnet)
    throw usageError('warmup-needs-devnet', '--warmup only applies to the devnet simulator', 'add --devnet');
  const progress = reportProgress(ctx, verb);
  return {
    ...(opts.devnet && verb === 'start'
      ? {
          devnet: {
            bin: devnetBinary(),
            extraArgs: opts.warmup !== undefined ? [`-devnet-warmup=${opts.warmup}`] : [],
          },
        }
      : {}),
    ...(opts.datadir !== undefined ? { datadir: opts.datadir } : {}),
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    onEvent: (e) => {
      if (e.type === 'started' || e.type === 'stopped') return progress(e.result);
      if (ctx.opts.json) return;
      if (e.type === 'waiting') {
        // Progress while a daemon starts: every retry with -v, otherwise each new warm-up status once.
        const text = e.message.replace(/^.*?: getblockcount: /, '');
        if (!ctx.opts.verbose && lastStatus.get(e.chain) === text) return;
        lastStatus.set(e.chain, text);
        ctx.out.stderr(paint(ctx.out, 'dim', `  … ${e.chain}: ${text}\n`));
        return;
      }
      if (!ctx.opts.verbose) return;
      if (e.type === 'stale-pid')
        ctx.out.stderr(paint(ctx.out, 'yellow', `  ${e.chain}: removed a stale pid file (pid ${e.pid})\n`));
      if (e.type === 'signal')
        ctx.out.stderr(paint(ctx.out, 'yellow', `  ${e.chain}: sending ${e.signal}\n`));
    },
  };
}

function reportProgress<T extends { state: string }>(ctx: Context, verb: string) {
  return (r: TargetResult<T>) => {
    if (ctx.opts.json) return;
    const secs = `${(r.durationMs / 1000).toFixed(1)} s`;
    if (r.ok)
      ctx.out.stdout(
        `${paint(ctx.out, 'green', '✓')} ${r.target} ${r.result!.state.replace('-', ' ')} ${paint(ctx.out, 'dim', secs)}\n`,
      );
    else
      ctx.out.stdout(
        `${paint(ctx.out, 'red', '✗')} ${r.target} ${verb} failed: ${r.error!.code}: ${r.error!.message}${r.error!.hint ? paint(ctx.out, 'dim', `\n    hint: ${r.error!.hint}`) : ''}\n`,
      );
  };
}

/** One target's result as printed with --json / --ndjson. */
export function resultJson<T>(r: TargetResult<T>) {
  return { chain: r.target, ok: r.ok, ...(r.ok ? { result: r.result } : { error: r.error }) };
}

export function finish<T>(ctx: Context, verb: string, results: TargetResult<T>[]): number {
  const s = summary(results);
  if (ctx.opts.json)
    printJson(
      ctx.out,
      results.map((r) => ({ ...resultJson(r), ms: Math.round(r.durationMs) })),
    );
  else ctx.out.stdout(`${verb}: ${s.ok} ok, ${s.failed} failed\n`);
  return s.failed ? ExitCode.failure : ExitCode.ok;
}
