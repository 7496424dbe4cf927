/** `dokomodo utxo status`: notarization UTXOs of every chain by Iguana’s rule. */
import { ExitCode } from '../../../core/errors.ts';
import { selectChains } from '../../../platform/select.ts';
import { summary } from '../../../operator/fanout.ts';
import { utxoStatuses } from '../../../operator/utxo.ts';
import { type Context, loadRuntime } from '../../context.ts';
import { printJson } from '../../output.ts';
import { type UtxoCommonOptions, errorLines, jsonResults, statusTable } from '../../views/utxo.ts';

export async function utxoStatus(ctx: Context, chains: string[], opts: UtxoCommonOptions): Promise<number> {
  const { platform, selection, runtime } = await loadRuntime(ctx);
  const results = await utxoStatuses(runtime, selectChains(platform, selection, chains), {
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
  });
  if (ctx.opts.json) printJson(ctx.out, jsonResults(results));
  else {
    ctx.out.stdout(statusTable(ctx.out, results));
    ctx.out.stderr(errorLines(ctx.out, results));
  }
  return summary(results).failed ? ExitCode.failure : ExitCode.ok;
}
