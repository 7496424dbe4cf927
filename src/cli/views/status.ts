/** The status table: one row per chain, one per Iguana instance. */
import { BANDS } from '../../contract/metrics.ts';
import type { ChainStatus, IguanaStatus } from '../../operator/status.ts';
import { type Out, paint, table } from '../output.ts';

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
