/** stats: notarizations, UTXOs, balance and wallet per chain; checkfork: is each chain on the right fork. */
import { DokomodoError, ExitCode } from '../../core/errors.ts';
import { MAX_READ_BYTES, readRegularFile } from '../../core/host.ts';
import { BANDS } from '../../contract/metrics.ts';
import { selectChains } from '../../platform/select.ts';
import { checkforkAll, type ForkReport, parsePeers } from '../../operator/checkfork.ts';
import { type ChainStats, statsAll } from '../../operator/stats.ts';
import { coins, toSats } from '../../operator/utxo.ts';
import { type Context, loadRuntime } from '../context.ts';
import { type Out, paint, printJson, table } from '../output.ts';

function age(seconds: number): string {
  if (seconds < 90) return `${seconds}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** The operators' stats-screen colours (reference §11.3, §12.2; shared with the monitor). */
export function ageColor(seconds: number): 'green' | 'yellow' | 'red' {
  return seconds < BANDS.notarizationIrregularSeconds
    ? 'green'
    : seconds < BANDS.notarizationInactiveSeconds
      ? 'yellow'
      : 'red';
}

export function utxoColor(n: number): 'green' | 'yellow' | 'red' {
  return n < BANDS.utxoRed ? 'red' : n < BANDS.utxoYellow ? 'yellow' : 'green';
}

function windowLabel(seconds: number): string {
  if (seconds % 86400 === 0 && seconds >= 2 * 86400) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

export function statsTable(out: Out, stats: ChainStats[]): string {
  const w = windowLabel(stats[0]?.windowSeconds ?? 86400);
  const rows = stats.map((s) => [
    s.chain,
    s.notarizations ?? undefined,
    s.perDay ?? undefined,
    s.last?.height ?? undefined,
    s.last ? paint(out, ageColor(s.last.ageSeconds), age(s.last.ageSeconds)) : undefined,
    s.notarized ?? undefined,
    s.utxos === null
      ? undefined
      : `${paint(out, utxoColor(s.utxos), String(s.utxos))}${s.pendingUtxos ? `+${s.pendingUtxos}` : ''}`,
    s.balance === null ? undefined : coins(toSats(s.balance)),
    s.daysLeft ?? undefined,
    s.walletBytes !== null ? bytes(s.walletBytes) : s.walletTxs !== null ? `${s.walletTxs} txs` : undefined,
    s.message === null ? undefined : s.state === 'error' ? paint(out, 'red', s.message) : s.message,
  ]);
  return table(
    [
      'CHAIN',
      `NTX ${w}`,
      'PER DAY',
      'LAST NTX',
      'AGE',
      'NOTARIZED',
      'UTXOS',
      'BALANCE',
      'DAYS LEFT',
      'WALLET',
      'NOTE',
    ],
    rows,
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
}

export async function stats(
  ctx: Context,
  chains: string[],
  /** Durations in seconds, parsed by the options (cli/options.ts). */
  opts: { watch?: boolean; interval?: number; window?: number; datadir?: string },
): Promise<number> {
  const windowSeconds = Math.round(opts.window ?? 86400);
  const interval = opts.interval ?? 30;
  const { platform, selection, runtime } = loadRuntime(ctx);
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

// ---- checkfork

const FORK_COLOR = { ok: 'green', fork: 'red', 'out-of-sync': 'yellow', error: 'red' } as const;

export function forkTable(out: Out, reports: ForkReport[]): string {
  const rows = reports.map((r) => [
    r.chain,
    paint(out, FORK_COLOR[r.state], r.state),
    r.blocks ?? undefined,
    r.longestchain ?? undefined,
    r.peers.length === 0
      ? 'none'
      : `${r.peers.filter((p) => p.hashMatch === true).length}/${r.peers.length} agree`,
    r.problems.join('; ') || undefined,
  ]);
  return table(['CHAIN', 'STATE', 'BLOCKS', 'LONGEST', 'PEERS', 'PROBLEMS'], rows, [2, 3]);
}

export async function checkfork(
  ctx: Context,
  chains: string[],
  opts: { peers?: string; timeout?: number },
): Promise<number> {
  let peers: Record<string, { url?: string; explorer?: string }[]> = {};
  if (opts.peers !== undefined) {
    // A regular file only: a FIFO or /dev/zero would never end.
    const got = readRegularFile(opts.peers, MAX_READ_BYTES);
    if (!('bytes' in got)) {
      throw new DokomodoError('peers-unreadable', `cannot read ${opts.peers}: it ${got.reason}`, {
        exitCode: ExitCode.usage,
      });
    }
    peers = parsePeers(Buffer.from(got.bytes).toString('utf8'), opts.peers);
  }
  const timeoutMs = (opts.timeout ?? 10) * 1000;
  const { platform, selection, runtime } = loadRuntime(ctx);
  const targets = selectChains(platform, selection, chains);
  const unknown = Object.keys(peers).filter((n) => !platform.chains.some((c) => c.name === n));
  if (unknown.length && !ctx.opts.json)
    ctx.out.stderr(
      paint(ctx.out, 'yellow', `peers file names chains not in the platform file: ${unknown.join(', ')}\n`),
    );
  const reports = await checkforkAll(runtime, targets, { peers, maxLag: BANDS.behindBlocks, timeoutMs });
  if (ctx.opts.json) printJson(ctx.out, reports);
  else ctx.out.stdout(forkTable(ctx.out, reports));
  return reports.every((r) => r.state === 'ok') ? ExitCode.ok : ExitCode.failure;
}
