/** How the utxo commands print counts, planned and sent transactions. */
import { BANDS } from '../../contract/metrics.ts';
import type { TargetResult } from '../../operator/fanout.ts';
import { coins, type PlannedTx, type UtxoRunResult, type UtxoStatus } from '../../operator/utxo.ts';
import type { Context } from '../context.ts';
import { type Out, paint, table } from '../output.ts';

/** Values parsed by the options (cli/options.ts). */
export interface UtxoCommonOptions {
  concurrency?: number;
}

export interface UtxoRunCliOptions extends UtxoCommonOptions {
  dryRun?: boolean;
  feeRate?: number;
  journalDir?: string;
  maxInputs?: number;
}

function utxoColor(n: number): 'red' | 'yellow' | 'green' {
  return n < BANDS.utxoRed ? 'red' : n < BANDS.utxoYellow ? 'yellow' : 'green';
}

export function jsonResults<T>(results: TargetResult<T>[]) {
  return results.map((r) => ({
    chain: r.target,
    ok: r.ok,
    ...(r.ok ? { result: r.result } : { error: r.error }),
  }));
}

export function errorLines(out: Out, results: TargetResult<unknown>[]): string {
  let s = '';
  for (const r of results) {
    if (r.ok) continue;
    s += `${paint(out, 'red', '✗')} ${r.target}: ${r.error!.code}: ${r.error!.message}\n`;
    if (r.error!.hint) s += paint(out, 'dim', `    hint: ${r.error!.hint}\n`);
  }
  return s;
}

export function statusTable(out: Out, results: TargetResult<UtxoStatus>[]): string {
  const rows = results.map((r) => {
    if (!r.ok)
      return [
        r.target,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        paint(out, 'red', r.error!.code),
      ];
    const s = r.result!;
    return [
      s.chain,
      paint(out, utxoColor(s.usable), String(s.usable)),
      s.pending,
      coins(s.utxoValue),
      `${s.threshold}/${s.target}`,
      !s.enabled ? paint(out, 'dim', 'disabled') : s.splitDue ? paint(out, 'yellow', 'due') : 'no',
      `${coins(s.funding.sats)} (${s.funding.count})`,
      `${coins(s.other.sats)} (${s.other.count})`,
      `${s.address}${s.lookalikes ? `; ${s.lookalikes} P2PKH of ${coins(s.utxoValue)} (not usable)` : ''}`,
    ];
  });
  return table(
    ['CHAIN', 'UTXOS', 'PENDING', 'SIZE', 'THRESHOLD/TARGET', 'SPLIT', 'FUNDING P2PKH', 'OTHER', 'ADDRESS'],
    rows,
    [1, 2],
  );
}

function describeTx(out: Out, tx: PlannedTx, rate: number): string {
  const lines: string[] = [];
  if (tx.txid) lines.push(`    txid     ${tx.txid}`);
  tx.inputs.forEach((i, k) => {
    const kind = `${i.script.toUpperCase()}${i.coinbase ? ', mined' : ''}`;
    const interest = i.interestSats ? ` + interest ${coins(i.interestSats)}` : '';
    lines.push(
      `    ${k === 0 ? 'inputs ' : '       '}  ${i.txid}:${i.vout}  ${coins(i.sats)}${interest} (${kind})`,
    );
  });
  tx.outputs.forEach((o, k) => {
    const what =
      o.role === 'notarization'
        ? `${o.count} × ${coins(o.sats)} → P2PK ${o.script}`
        : `${coins(o.sats)} → ${o.address} (${o.role === 'change' ? 'change' : 'to self'})`;
    lines.push(`    ${k === 0 ? 'outputs' : '       '}  ${what}`);
  });
  lines.push(
    `    fee      ${coins(tx.feeSats)} ${paint(out, 'dim', `(≈${tx.sizeEstimate} bytes × ${rate} sat/B)`)}`,
  );
  if (tx.locktime) lines.push(`    locktime ${tx.locktime} (claims KMD interest)`);
  return `${lines.join('\n')}\n`;
}

export function runReporter(ctx: Context, verb: string, rate: number) {
  return (r: TargetResult<UtxoRunResult>) => {
    if (ctx.opts.json) return;
    const o = ctx.out;
    if (!r.ok) {
      o.stdout(`${paint(o, 'red', '✗')} ${r.target} ${verb} failed: ${r.error!.code}: ${r.error!.message}\n`);
      if (r.error!.hint) o.stdout(paint(o, 'dim', `    hint: ${r.error!.hint}\n`));
      return;
    }
    const res = r.result!;
    let text = '';
    for (const j of res.resolved)
      text += `  ${res.chain}: interrupted run: ${j.txid} ${j.outcome.replace('-', ' ')} (${j.reason})\n`;
    if (res.skipped) {
      text += `${paint(o, 'dim', '-')} ${res.chain} ${verb}: ${res.skipped}\n`;
    } else {
      const n = res.txs.length;
      const head =
        verb === 'split'
          ? `${res.txs[0]!.outputs[0]!.count} × ${coins(res.before.utxoValue)} (${res.before.usable + res.before.pending} → ${res.before.usable + res.before.pending + res.txs[0]!.outputs[0]!.count})`
          : `${res.txs.reduce((s, t) => s + t.inputs.length, 0)} outputs into ${n}`;
      text += res.dryRun
        ? `${paint(o, 'cyan', '…')} ${res.chain} ${verb} would send ${n} transaction${n === 1 ? '' : 's'}: ${head}\n`
        : `${paint(o, 'green', '✓')} ${res.chain} ${verb} sent ${n} transaction${n === 1 ? '' : 's'}: ${head}\n`;
      for (const tx of res.txs) text += describeTx(o, tx, rate);
    }
    o.stdout(text);
  };
}
