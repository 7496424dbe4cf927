/** The stats and checkfork tables. */
import { BANDS } from '../../contract/metrics.ts';
import type { ForkReport } from '../../operator/checkfork.ts';
import type { ChainStats } from '../../operator/stats.ts';
import { coins, toSats } from '../../operator/utxo.ts';
import { type Out, paint, table } from '../output.ts';

function age(seconds: number): string {
  if (seconds < 90) return `${seconds}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

export function bytes(n: number): string {
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
