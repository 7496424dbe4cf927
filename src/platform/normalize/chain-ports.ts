/** A chain's identity (magic, netmagic) and its ports: computed, declared, or overridden. */
import type { CoinInfo } from '../../komodo/coins.ts';
import { chainIdentity } from '../../komodo/magic.ts';
import type { Rules } from '../../komodo/params.ts';
import type { ChainModel } from '../model.ts';
import type { Parsed, Path, Report } from './context.ts';

type ChainInput = NonNullable<Parsed['chains'][string]>;

export interface ChainPorts {
  p2p: number;
  rpc: number;
  magic: number | undefined;
  netmagic: string | undefined;
  override: boolean;
  /** The declared p2p port (with override it becomes -port). */
  declaredP2p: number | undefined;
}

/** The identity and ports of a chain, or undefined when its ports are unknown (reported). */
export function chainPorts(
  report: Report,
  name: string,
  path: Path,
  c: ChainInput,
  kind: ChainModel['kind'],
  coin: CoinInfo,
  rules: Rules,
  acName: string | undefined,
  params: Record<string, string>,
): ChainPorts | undefined {
  const { err } = report;
  let p2p: number | undefined;
  let rpc: number | undefined;
  let magic: number | undefined;
  let netmagic: string | undefined;
  if (kind === 'assetchain') {
    const id = chainIdentity(acName!, params, rules);
    ({ p2p, rpc, magic, netmagic } = id);
  } else if (kind === 'kmd' && c.coin === undefined) {
    const id = chainIdentity('KMD', {});
    ({ p2p, rpc, magic, netmagic } = id);
  } else {
    p2p = coin.p2p;
    rpc = coin.rpc;
    netmagic = coin.netmagic;
    magic = netmagic ? Buffer.from(netmagic, 'hex').readUInt32LE(0) : undefined;
  }
  const declared = c.ports ?? {};
  const override = declared.override === true;
  if (override) {
    if (declared.p2p === undefined && declared.rpc === undefined) {
      err(
        'bad-value',
        [...path, 'ports', 'override'],
        '`override: true` without a port',
        'add `p2p:` and/or `rpc:` next to it',
      );
    }
    if (declared.p2p !== undefined) p2p = declared.p2p;
    if (declared.rpc !== undefined) rpc = declared.rpc;
    else if (declared.p2p !== undefined && rpc === undefined) rpc = declared.p2p + 1;
  } else {
    if (declared.p2p !== undefined && p2p !== undefined && declared.p2p !== p2p) {
      err(
        'port-mismatch',
        [...path, 'ports', 'p2p'],
        `${name}: declared p2p port ${declared.p2p}, but its parameters give ${p2p}`,
        portMismatchHint(kind),
        false,
      );
    }
    if (declared.rpc !== undefined && rpc !== undefined && declared.rpc !== rpc) {
      err(
        'port-mismatch',
        [...path, 'ports', 'rpc'],
        `${name}: declared rpc port ${declared.rpc}, but its parameters give ${rpc}`,
        portMismatchHint(kind),
        false,
      );
    }
    p2p ??= declared.p2p;
    rpc ??= declared.rpc;
  }
  if (p2p === undefined || rpc === undefined) {
    err(
      'missing-ports',
      path,
      `${name}: dokomodo does not know the ports of ${coin.symbol}`,
      'add `ports: { p2p: N, rpc: N, override: true }`',
      true,
    );
    return undefined;
  }
  return { p2p, rpc, magic, netmagic, override, declaredP2p: declared.p2p };
}

function portMismatchHint(kind: ChainModel['kind']): string {
  return kind === 'assetchain'
    ? 'a different port means different parameters, i.e. another network: check every ac_* value; to run on another port deliberately add `override: true`'
    : 'remove the declared port, or add `override: true` to run on it';
}
