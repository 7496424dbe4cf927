/** How key commands print keys and import results. */
import type { deriveKeys } from '../../komodo/keys.ts';
import type { TargetResult } from '../../operator/fanout.ts';
import type { ImportResult } from '../../operator/keys.ts';
import type { Context } from '../context.ts';
import { type Out, paint, table } from '../output.ts';
import { secs } from './iguana.ts';

export function printKeys(
  ctx: Context,
  keys: ReturnType<typeof deriveKeys>,
  privHex: string,
  secrets: boolean,
): number {
  const write = secrets ? (s: string) => process.stdout.write(s) : (s: string) => ctx.out.stdout(s);
  if (ctx.opts.json) {
    const coins = Object.fromEntries(
      Object.entries(keys.coins).map(([sym, c]) => [
        sym,
        secrets ? { address: c.address, wif: c.wif } : { address: c.address },
      ]),
    );
    write(
      `${JSON.stringify({ pubkey: keys.pubkey, ...(secrets ? { privkey: privHex } : {}), coins }, null, 2)}\n`,
    );
    return 0;
  }
  write(`pubkey  ${keys.pubkey}\n`);
  if (secrets) write(`privkey ${privHex}\n`);
  write('\n');
  const rows = Object.entries(keys.coins).map(([sym, c]) =>
    secrets ? [sym, c.address, c.wif] : [sym, c.address],
  );
  write(table(secrets ? ['COIN', 'ADDRESS', 'WIF'] : ['COIN', 'ADDRESS'], rows));
  if (!secrets)
    ctx.out.stderr(paint(ctx.out, 'dim', 'WIFs and the private key are shown only with --show-secrets\n'));
  return 0;
}

export function importLine(out: Out, r: TargetResult<ImportResult>): string {
  if (r.ok) {
    const already = r.result!.state === 'already';
    return `${paint(out, already ? 'dim' : 'green', already ? '·' : '✓')} ${r.target} ${already ? 'already there' : 'imported'} ${r.result!.address} ${paint(out, 'dim', secs(r.durationMs))}\n`;
  }
  const e = r.error!;
  return `${paint(out, 'red', '✗')} ${r.target} failed: ${e.code}: ${e.message}${e.hint ? paint(out, 'dim', `\n    hint: ${e.hint}`) : ''}\n`;
}
