/** What `utxo split` and `utxo consolidate` share: the journal check, the run, the summary. */
import { ExitCode } from '../../../core/errors.ts';
import { selectChains } from '../../../platform/select.ts';
import { summary } from '../../../operator/fanout.ts';
import {
  DEFAULT_FEE_RATE,
  DEFAULT_JOURNAL_DIR,
  fileJournal,
  MAX_CONSOLIDATE_INPUTS,
  utxoRun,
} from '../../../operator/utxo.ts';
import { expandUserPath } from '../../../core/local.ts';
import { type Context, loadRuntime } from '../../context.ts';
import { usableDir } from '../../paths.ts';
import { paint, printJson } from '../../output.ts';
import { type UtxoRunCliOptions, jsonResults, runReporter } from '../../views/utxo.ts';

export async function runCommand(
  ctx: Context,
  chains: string[],
  opts: UtxoRunCliOptions,
  verb: 'split' | 'consolidate',
): Promise<number> {
  const feeRate = opts.feeRate ?? DEFAULT_FEE_RATE;
  const maxInputs = opts.maxInputs ?? MAX_CONSOLIDATE_INPUTS;
  const journalDir = opts.journalDir ?? DEFAULT_JOURNAL_DIR;
  // Before any chain is touched: a journal that cannot be written means nothing may be sent.
  if (!opts.dryRun) usableDir('--journal-dir', expandUserPath(journalDir));
  const journal = fileJournal(journalDir);
  if (opts.dryRun && !ctx.opts.json)
    ctx.out.stdout(paint(ctx.out, 'dim', '(dry run: nothing is signed or sent)\n'));
  const { platform, selection, runtime } = await loadRuntime(ctx);
  const results = await utxoRun(runtime, selectChains(platform, selection, chains), verb, {
    journal,
    dryRun: opts.dryRun === true,
    feeRate,
    maxInputs,
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    onResult: runReporter(ctx, verb, feeRate),
  });
  if (ctx.opts.json) printJson(ctx.out, jsonResults(results));
  else {
    const sent = results.filter((r) => r.ok && !r.result!.skipped).length;
    const skipped = results.filter((r) => r.ok && r.result!.skipped).length;
    const failed = results.length - sent - skipped;
    ctx.out.stdout(
      `${verb}${opts.dryRun ? ' (dry run)' : ''}: ${sent} ${opts.dryRun ? 'planned' : 'sent'}, ${skipped} skipped, ${failed} failed\n`,
    );
  }
  return summary(results).failed ? ExitCode.failure : ExitCode.ok;
}
