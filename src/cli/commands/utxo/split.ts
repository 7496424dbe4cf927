/** `dokomodo utxo split`: notarization UTXOs up to the target, journaled. */
import type { Context } from '../../context.ts';
import { runCommand } from './run.ts';
import type { UtxoRunCliOptions } from '../../views/utxo.ts';

export function utxoSplit(ctx: Context, chains: string[], opts: UtxoRunCliOptions): Promise<number> {
  return runCommand(ctx, chains, opts, 'split');
}
