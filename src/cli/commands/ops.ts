/** start, stop, restart, status, rpc: the day-to-day commands over every chain. */
import { DokomodoError, ExitCode, usageError } from '../../core/errors.ts';
import { BANDS } from '../../contract/metrics.ts';
import { selectChains } from '../../platform/select.ts';
import { type LifecycleOptions, startChains, stopChains } from '../../operator/lifecycle.ts';
import { summary, type TargetResult } from '../../operator/fanout.ts';
import { callAll } from '../../operator/rpc-all.ts';
import { type ChainStatus, collectStatus, FAILED_STATES, type IguanaStatus } from '../../operator/status.ts';
import { type Context, loadRuntime } from '../context.ts';
import { type Out, paint, printJson, table } from '../output.ts';
import { devnetBinary } from '../paths.ts';

export interface LifecycleCliOptions {
  devnet?: boolean;
  datadir?: string;
  /** Parsed by the option (cli/options.ts), like every number below. */
  concurrency?: number;
  /** Seconds. */
  warmup?: number;
}

function concurrencyOf(value: number | undefined, fallback: number): number {
  return value ?? fallback;
}

function lifecycleOptions(ctx: Context, opts: LifecycleCliOptions, verb: 'start' | 'stop'): LifecycleOptions {
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
function resultJson<T>(r: TargetResult<T>) {
  return { chain: r.target, ok: r.ok, ...(r.ok ? { result: r.result } : { error: r.error }) };
}

function finish<T>(ctx: Context, verb: string, results: TargetResult<T>[]): number {
  const s = summary(results);
  if (ctx.opts.json)
    printJson(
      ctx.out,
      results.map((r) => ({ ...resultJson(r), ms: Math.round(r.durationMs) })),
    );
  else ctx.out.stdout(`${verb}: ${s.ok} ok, ${s.failed} failed\n`);
  return s.failed ? ExitCode.failure : ExitCode.ok;
}

export async function start(ctx: Context, chains: string[], opts: LifecycleCliOptions): Promise<number> {
  const { platform, selection, runtime } = loadRuntime(ctx);
  const targets = selectChains(platform, selection, chains);
  const results = await startChains(runtime, targets, lifecycleOptions(ctx, opts, 'start'));
  return finish(ctx, 'start', results);
}

export async function stop(ctx: Context, chains: string[], opts: LifecycleCliOptions): Promise<number> {
  const { platform, selection, runtime } = loadRuntime(ctx);
  const targets = selectChains(platform, selection, chains);
  const results = await stopChains(
    runtime,
    targets,
    lifecycleOptions(ctx, { ...opts, devnet: false }, 'stop'),
  );
  return finish(ctx, 'stop', results);
}

export async function restart(ctx: Context, chains: string[], opts: LifecycleCliOptions): Promise<number> {
  const stopped = await stop(ctx, chains, opts);
  if (stopped !== ExitCode.ok) return stopped;
  return start(ctx, chains, opts);
}

// ---- status

function age(seconds: number | null): string | undefined {
  if (seconds === null) return undefined;
  if (seconds < 90) return `${seconds}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

/** Notarization age bands of the dPoW README: active < 2.5 h, irregular < 24 h, inactive after. */
function ageColor(seconds: number | null): 'green' | 'yellow' | 'red' | 'dim' {
  if (seconds === null) return 'dim';
  return seconds < BANDS.notarizationIrregularSeconds
    ? 'green'
    : seconds < BANDS.notarizationInactiveSeconds
      ? 'yellow'
      : 'red';
}

const STATE_COLOR = {
  running: 'green',
  starting: 'yellow',
  stopped: 'dim',
  'not-komodod': 'red',
  'bad-reply': 'red',
  unreachable: 'red',
  error: 'red',
} as const;

export function statusTable(out: Out, chains: ChainStatus[], iguana: IguanaStatus[]): string {
  const rows = chains.map((s) => [
    s.chain,
    paint(out, STATE_COLOR[s.state], s.state),
    s.blocks ?? undefined,
    s.longestchain ?? undefined,
    s.connections ?? undefined,
    s.balance === null ? undefined : s.balance.toFixed(4),
    s.notarized ?? undefined,
    s.notarizedAge === null ? undefined : paint(out, ageColor(s.notarizedAge), age(s.notarizedAge)!),
    s.version ?? undefined,
    s.message ?? undefined,
  ]);
  let text = table(
    ['CHAIN', 'STATE', 'BLOCKS', 'LONGEST', 'CONN', 'BALANCE', 'NOTARIZED', 'AGE', 'VERSION', 'NOTE'],
    rows,
    [5, 7],
  );
  if (iguana.length > 0) {
    text += `\n${table(
      ['IGUANA', 'STATE', 'PORT', 'PEERS', 'NOTE'],
      iguana.map((g) => [
        g.instance,
        paint(out, g.state === 'running' ? 'green' : g.state === 'stopped' ? 'dim' : 'red', g.state),
        g.port,
        g.peers ?? undefined,
        g.message ?? undefined,
      ]),
    )}`;
  }
  const counts: Record<string, number> = {};
  for (const s of chains) counts[s.state] = (counts[s.state] ?? 0) + 1;
  text += `\n${chains.length} chains: ${Object.entries(counts)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ')}\n`;
  return text;
}

export async function status(
  ctx: Context,
  chains: string[],
  opts: { watch?: boolean; interval?: number },
): Promise<number> {
  const { platform, selection, runtime } = loadRuntime(ctx);
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

// ---- rpc

/** A command-line parameter: JSON when it parses (numbers, true, arrays, objects, "quoted"), else the text. */
export function parseParam(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

export async function rpc(
  ctx: Context,
  target: string,
  method: string,
  params: string[],
  opts: { ndjson?: boolean; concurrency?: number; timeout?: number },
): Promise<number> {
  const { platform, selection, runtime } = loadRuntime(ctx);
  const targets = selectChains(platform, selection, [target]);
  if (targets.length === 0) throw new DokomodoError('no-targets', `\`${target}\` selects no chains`);
  const results = await callAll(runtime, targets, method, params.map(parseParam), {
    timeoutMs: (opts.timeout ?? 30) * 1000,
    concurrency: concurrencyOf(opts.concurrency, 128),
    onResult: (r) => {
      if (opts.ndjson) ctx.out.stdout(`${JSON.stringify(resultJson(r))}\n`);
    },
  });
  const s = summary(results);
  if (opts.ndjson) {
    // already streamed
  } else if (ctx.opts.json) {
    printJson(ctx.out, results.map(resultJson));
  } else if (results.length === 1 && results[0]!.ok) {
    const v = results[0]!.result;
    ctx.out.stdout(`${typeof v === 'string' ? v : JSON.stringify(v, null, 2)}\n`);
  } else {
    const rows = results.map((r) => {
      const text = r.ok
        ? typeof r.result === 'string'
          ? r.result
          : JSON.stringify(r.result)
        : `${r.error!.code}: ${r.error!.message}`;
      return [
        r.target,
        r.ok ? paint(ctx.out, 'green', 'ok') : paint(ctx.out, 'red', 'failed'),
        text.length > 100 ? `${text.slice(0, 99)}…` : text,
      ];
    });
    ctx.out.stdout(table(['CHAIN', '', 'RESULT'], rows));
  }
  if (!ctx.opts.json && !opts.ndjson && results.length > 1)
    ctx.out.stderr(`${method}: ${s.ok} ok, ${s.failed} failed\n`);
  if (!ctx.opts.json && !opts.ndjson && results.length === 1 && !results[0]!.ok) {
    const e = results[0]!.error!;
    ctx.out.stderr(`${paint(ctx.out, 'red', 'error')} ${e.code}: ${e.message}\n`);
  }
  return s.failed ? ExitCode.failure : ExitCode.ok;
}
