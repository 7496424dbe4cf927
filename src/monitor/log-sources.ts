/**
 * Which logs the monitor tails, and where: each chain's `debug.log` in its data directory and
 * each Iguana instance's output, `iguana.log` in its working directory (where the rendered unit
 * appends Iguana's stdout and stderr, as the dPoW launch scripts do). A file of this machine is
 * read directly; a file of another host over that host's shell (remote-logs.ts).
 */
import { join } from 'node:path';
import type { ChainModel, IguanaModel, Platform } from '../platform/model.ts';
import { expandLocal, localChain } from '../operator/daemon/local.ts';
import { onHost, remoteChain } from '../operator/daemon/remote.ts';
import type { Runtime } from '../operator/runtime.ts';
import type { LogSource } from './logs.ts';
import { IGUANA_LOG } from '../contract/metrics.ts';

/** The log source name of an Iguana instance (`/api/logs/iguana-main`). */
export function iguanaSource(g: IguanaModel): string {
  return `iguana-${g.name}`;
}

/**
 * The chain an Iguana line is about. Iguana (dPoW 2f846c0, dpow_rpc.c `dpow_haveutxo`) says
 * `no (SRC -> COIN) utxo: need to fund address.(R…) or wait for splitfund to confirm` — the coin
 * after the arrow is the one short of UTXOs (SRC is empty when it is the source chain itself);
 * other lines name the coin as a word. A coin is matched by its Iguana symbol (KMD, LTC, an
 * assetchain's name) among the instance's coins; a line that names none counts for no chain.
 */
export function iguanaCharge(platform: Platform, g: IguanaModel): (line: string) => string | undefined {
  const bySymbol = new Map<string, string>();
  for (const name of g.coins) {
    const c = platform.chains.find((x) => x.name === name);
    if (c && !bySymbol.has(c.symbol)) bySymbol.set(c.symbol, c.name);
  }
  if (bySymbol.size === 0) return () => undefined;
  const escaped = [...bySymbol.keys()]
    .sort((a, b) => b.length - a.length)
    .map((s) => s.replace(/[^\w]/g, '\\$&'));
  const word = new RegExp(`(?<![\\w])(${escaped.join('|')})(?![\\w])`);
  const arrow = /->\s*([^\s)]+)\s*\)/;
  return (line) => {
    const a = arrow.exec(line);
    const target = a ? bySymbol.get(a[1]!) : undefined;
    if (target !== undefined) return target;
    const m = word.exec(line);
    return m ? bySymbol.get(m[1]!) : undefined;
  };
}

export interface LogSourceOptions {
  /** The data directory given to `start --datadir` (chains of this machine only). */
  datadir?: string;
}

/** The chains' and their Iguana instances' logs, local or on the host they run on. */
export function logSources(
  rt: Runtime,
  chains: readonly ChainModel[],
  opts: LogSourceOptions = {},
): LogSource[] {
  const out: LogSource[] = [];
  for (const c of chains) {
    const host = rt.hostOf(c.host);
    if (!host || host.local) {
      const dir = localChain(c, opts.datadir === undefined ? {} : { datadir: opts.datadir }).datadir;
      out.push({ source: c.name, path: join(dir, 'debug.log') });
    } else {
      const dir = remoteChain(c, host).datadir;
      out.push({ source: c.name, path: `${dir}/debug.log`, host, datadir: dir });
    }
  }
  const selected = new Set(chains.map((c) => c.name));
  const names = new Set(out.map((s) => s.source));
  for (const g of rt.platform.iguana) {
    if (!g.coins.some((c) => selected.has(c))) continue;
    const source = iguanaSource(g);
    if (names.has(source)) continue;
    const host = rt.hostOf(g.host);
    const charge = iguanaCharge(rt.platform, g);
    if (!host || host.local) {
      out.push({ source, path: join(expandLocal(g.workdir), IGUANA_LOG), charge });
    } else {
      out.push({ source, path: `${onHost(host, g.workdir)}/${IGUANA_LOG}`, host, charge });
    }
  }
  return out;
}
