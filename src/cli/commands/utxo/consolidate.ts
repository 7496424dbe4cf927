/** `dokomodo utxo consolidate`: many small outputs into few, journaled. */
import type { Context } from '../../context.ts';
import { runCommand } from './run.ts';
import type { UtxoRunCliOptions } from '../../views/utxo.ts';

export function utxoConsolidate(ctx: Context, chains: string[], opts: UtxoRunCliOptions): Promise<number> {
  return runCommand(ctx, chains, opts, 'consolidate');
}
