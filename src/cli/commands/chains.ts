import type { ChainModel } from '../../platform/model.ts';
import { type Context, loadSelection } from '../context.ts';
import { printJson, table } from '../output.ts';

/** The JSON shape of one chain in `dokomodo chains --json` (a stable contract). */
export function chainJson(c: ChainModel) {
  return {
    name: c.name,
    kind: c.kind,
    host: c.host ?? null,
    p2p: c.p2p,
    rpc: c.rpc,
    magic: c.magic ?? null,
    netmagic: c.netmagic ?? null,
    args: c.launchArgs,
    datadir: c.datadir,
    conf: `${c.datadir}/${c.confName}`,
  };
}

export async function chains(ctx: Context): Promise<number> {
  const { selection } = await loadSelection(ctx);
  if (ctx.opts.json) {
    printJson(ctx.out, selection.chains.map(chainJson));
    return 0;
  }
  const rows = selection.chains.map((c) => [
    c.name,
    c.host,
    c.p2p,
    c.rpc,
    c.magic,
    c.netmagic,
    c.launchArgs.join(' '),
  ]);
  ctx.out.stdout(table(['NAME', 'HOST', 'P2P', 'RPC', 'MAGIC', 'NETMAGIC', 'ARGS'], rows));
  return 0;
}
