/** How `iguana up` and `iguana status` print their steps and state. */
import { type IguanaEvent, type IguanaInstanceStatus, unlockLeft } from '../../operator/iguana.ts';
import type { Context } from '../context.ts';
import { type Out, paint, table } from '../output.ts';

export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function eventLine(ctx: Context, e: IguanaEvent): string {
  const out = ctx.out;
  if (e.type === 'restart') return `${paint(out, 'yellow', '!')} ${e.message}\n`;
  if (e.type === 'retry')
    return ctx.opts.verbose ? paint(out, 'dim', `  … ${e.id}: ${e.message}; retry in ${e.delayMs} ms\n`) : '';
  const what = e.id.replace(':', ' ');
  switch (e.phase) {
    case 'start':
      return ctx.opts.verbose ? paint(out, 'dim', `  → ${what}\n`) : '';
    case 'skipped':
      return `${paint(out, 'dim', '·')} ${what} ${paint(out, 'dim', 'skipped: finished earlier')}\n`;
    case 'done':
      return `${paint(out, 'green', '✓')} ${what}${e.note ? ` (${e.note})` : ''} ${paint(out, 'dim', secs(e.durationMs))}\n`;
    case 'failed':
      return `${paint(out, 'red', '✗')} ${what} failed: ${e.error.code}: ${e.error.message}${e.error.hint ? paint(out, 'dim', `\n    hint: ${e.error.hint}`) : ''}\n`;
  }
}

export function statusText(out: Out, s: IguanaInstanceStatus): string {
  const color = s.state === 'running' ? 'green' : s.state === 'stopped' ? 'dim' : 'red';
  const lines = [
    `iguana ${s.instance}  ${s.endpoint}  ${paint(out, color, s.state)}${s.message ? `  ${s.message}` : ''}`,
  ];
  const b = s.bootstrap;
  const boot =
    b.updatedAt === null
      ? 'never run by dokomodo (`dokomodo iguana up`)'
      : b.complete
        ? `complete (${b.done}/${b.total} steps, last change ${b.updatedAt})`
        : `incomplete: ${b.done}/${b.total} steps; pending ${b.pending.join(', ')}`;
  const rows: Array<[string, string]> = [['bootstrap', boot]];
  if (s.identity)
    rows.push([
      'identity',
      `${s.identity.pubkey ?? 'no key unlocked'}${s.identity.myip ? ` · ${s.identity.myip}` : ''}${s.identity.notaryId !== null ? ` · notary #${s.identity.notaryId}` : ''}`,
    ]);
  rows.push([
    'coins',
    s.coins
      .map((c) => {
        const dpow = !c.dpowPlanned
          ? ''
          : c.dpow === null
            ? ', dpow unknown'
            : c.dpow
              ? ', dpow'
              : ', no dpow';
        return `${c.coin} ${c.added ? 'added' : 'not added'}${dpow}`;
      })
      .join(' · '),
  ]);
  if (s.reachable) {
    rows.push([
      'peers',
      s.peers === null ? '-' : `${s.peers.length}${s.peers.length ? `: ${s.peers.join(', ')}` : ''}`,
    ]);
    rows.push(['notarychains', s.notarychains === null ? '-' : String(s.notarychains)]);
  }
  if (s.unlock) {
    rows.push([
      'unlock',
      s.unlock.expired
        ? paint(out, 'red', 'locked (Iguana says so): run `dokomodo iguana up`')
        : `unlocked, ${unlockLeft(s.unlock.secondsLeft)} left (Iguana says so)`,
    ]);
  } else rows.push(['unlock', s.reachable ? '-' : 'unknown: Iguana does not answer']);
  return `${lines.join('\n')}\n${table(['', ''], rows)
    .split('\n')
    .slice(1)
    .map((l) => (l ? `  ${l}` : l))
    .join('\n')}`;
}
