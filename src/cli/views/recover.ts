/** How `recover` tells its phases while it runs, and its report with the time of each phase. */
import type { PhaseReport, RecoverEvent, RecoverResult } from '../../operator/recover.ts';
import { type Color, type Out, paint } from '../output.ts';

const COLOURS: Record<PhaseReport['state'], Color> = {
  done: 'green',
  skipped: 'dim',
  failed: 'red',
  pending: 'dim',
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function recoverEventLine(out: Out, e: RecoverEvent): string | undefined {
  switch (e.type) {
    case 'phase':
      if (e.state === 'start') return paint(out, 'dim', `… ${e.phase}\n`);
      return `${paint(out, COLOURS[e.state], `${e.state.padEnd(7)}`)} ${e.phase.padEnd(7)} ${seconds(e.report.durationMs).padStart(8)}  ${e.report.summary}\n`;
    case 'fence': {
      const f = e.finding;
      if (f.action === 'accepted-unreachable')
        return `${paint(out, 'yellow', 'fence')}   ${f.host}: not reachable (${f.reason}); taken as down (--fence-unreachable)\n`;
      return `${paint(out, 'yellow', 'fence')}   ${f.host}: Iguana pid ${f.pid} (${f.args}) ${f.action}\n`;
    }
    case 'progress':
      return paint(out, 'dim', `  ${e.phase}: ${e.message}\n`);
  }
}

export function recoverReport(out: Out, r: RecoverResult): string {
  const lines = [''];
  lines.push(`recover ${r.host}${r.resumed ? ' (continued an unfinished run)' : ''}:`);
  for (const p of r.phases)
    lines.push(
      `  ${p.phase.padEnd(7)} ${paint(out, COLOURS[p.state], p.state.padEnd(7))} ${seconds(p.durationMs).padStart(8)}  ${p.summary}`,
    );
  const failed = r.phases.find((p) => p.state === 'failed');
  if (failed?.error) {
    lines.push('');
    lines.push(`${paint(out, 'red', 'error')} ${failed.error.code}: ${failed.error.message}`);
    if (failed.error.hint) lines.push(`  hint: ${failed.error.hint}`);
  }
  if (r.verify) {
    lines.push('');
    for (const c of r.verify.chains)
      lines.push(
        `  ${c.chain.padEnd(14)} ${c.state.padEnd(10)} key ${c.ismine ? 'mine' : 'MISSING'}${c.utxos !== null ? `  utxos ${c.utxos}/${c.threshold}` : ''}`,
      );
    for (const g of r.verify.iguana)
      lines.push(
        `  iguana ${g.instance.padEnd(7)} ${g.state.padEnd(10)} coins ${g.added}/${g.coins}, dpow ${g.dpow}, ${g.unlocked ? 'unlocked' : 'LOCKED'}`,
      );
  }
  lines.push('');
  lines.push(
    `${r.ok ? paint(out, 'green', 'recovered') : paint(out, 'red', 'not recovered')} in ${seconds(r.durationMs)}${r.ok ? '' : ': run the same command again to continue'} (state ${r.statePath})`,
  );
  return `${lines.join('\n')}\n`;
}
