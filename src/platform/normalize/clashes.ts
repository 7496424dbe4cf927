/** Cross-checks on one host: no two daemons on one port, no two chains in one data directory. */
import type { ChainModel } from '../model.ts';
import type { Path, Report } from './context.ts';

/** Claims a port of a host for an owner; a second claim of it is reported. */
export type ClaimPort = (host: string | undefined, port: number, owner: string, path: Path) => void;

export function portClaims(report: Report): ClaimPort {
  const portOwners = new Map<string, string>();
  return (host, port, owner, path) => {
    const key = `${host ?? ''}:${port}`;
    const prev = portOwners.get(key);
    if (prev !== undefined) {
      report.err(
        'port-clash',
        path,
        `port ${port} of ${owner} is already used by ${prev}${host ? ` on host ${host}` : ''}`,
        'give one of them other parameters or `ports: { …, override: true }`',
        true,
      );
    } else {
      portOwners.set(key, owner);
    }
  };
}

/** Claims the ports and the data directory of every chain, in file order. */
export function checkChainClashes(report: Report, chains: ChainModel[], claimPort: ClaimPort): void {
  const datadirOwners = new Map<string, string>();
  for (const c of chains) {
    claimPort(c.host, c.p2p, `${c.name} (p2p)`, ['chains', c.name]);
    if (c.rpc !== c.p2p) claimPort(c.host, c.rpc, `${c.name} (rpc)`, ['chains', c.name]);
    const dkey = `${c.host ?? ''}:${c.datadir}`;
    const prev = datadirOwners.get(dkey);
    if (prev !== undefined) {
      report.err(
        'datadir-clash',
        ['chains', c.name],
        `${c.name} and ${prev} would share the data directory ${c.datadir}`,
        'give one of them its own `datadir`',
        true,
      );
    } else {
      datadirOwners.set(dkey, c.name);
    }
  }
}
