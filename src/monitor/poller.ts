/**
 * The monitor's poll: every chain and Iguana instance once, all at once with bounded concurrency,
 * reduced to the values of the metric contract (metrics.ts). A chain that does not answer is a
 * sample with `up: false`, never an exception.
 */
import { statfsSync } from 'node:fs';
import type { ChainModel, IguanaModel, Platform } from '../platform/model.ts';
import { fanout } from '../operator/fanout.ts';
import { type DaemonInfo, daemonInfo } from '../operator/info.ts';
import { chainStats } from '../operator/stats.ts';
import type { RpcClient } from '../operator/rpc/client.ts';
import type { Runtime } from '../operator/runtime.ts';
import { iguanaStatuses } from '../operator/status.ts';

export interface ChainSample {
  chain: ChainModel;
  up: boolean;
  blocks?: number;
  longestChain?: number;
  connections?: number;
  tipTime?: number;
  notarized?: number;
  lastNotarization?: number;
  utxos?: number;
  balance?: number;
  /** Seconds the balance lasts at the last 24 h's notarization rate; Infinity when nothing was spent. */
  fundsLeftSeconds?: number;
  timeOffset?: number;
  /** Free fraction of the data directory's file system (chains on the monitor's host). */
  diskFree?: number;
  rpcSeconds: number;
}

export interface IguanaSample {
  instance: IguanaModel;
  up: boolean;
  peers?: number;
}

export interface LogSample {
  chain: ChainModel;
  pattern: string;
  level: 'warning' | 'critical';
  /** Unix seconds of the last line of that pattern. */
  lastSeen: number;
}

export interface Snapshot {
  at: number;
  durationSeconds: number;
  chains: ChainSample[];
  iguana: IguanaSample[];
  /** Known trouble patterns seen in the chains' logs (the monitor's log tails). */
  logs?: LogSample[];
}

async function sampleChain(rt: Runtime, chain: ChainModel, timeoutMs: number): Promise<ChainSample> {
  const t0 = performance.now();
  // One connection per chain for the poll's few calls in a row, dropped when they are done.
  const client = rt.clients.chain(chain, { timeoutMs, retry: false, connections: 1 });
  try {
    return await sampleWith(client, rt.platform, chain, t0);
  } finally {
    await client.close();
  }
}

async function sampleWith(
  client: RpcClient,
  platform: Platform,
  chain: ChainModel,
  t0: number,
): Promise<ChainSample> {
  const seconds = () => (performance.now() - t0) / 1000;
  let info: DaemonInfo;
  try {
    info = await daemonInfo(client);
  } catch {
    return { chain, up: false, rpcSeconds: seconds() };
  }
  const sample: ChainSample = { chain, up: true, rpcSeconds: 0 };
  if (typeof info.blocks === 'number') sample.blocks = info.blocks;
  if (typeof info.longestchain === 'number') sample.longestChain = info.longestchain;
  if (typeof info.connections === 'number') sample.connections = info.connections;
  if (typeof info.balance === 'number') sample.balance = info.balance;
  if (typeof info.timeoffset === 'number') sample.timeOffset = info.timeoffset;
  sample.notarized = typeof info.notarized === 'number' ? info.notarized : 0;
  try {
    const best = await client.call<string>('getbestblockhash');
    const header = await client.call<{ time?: number }>('getblockheader', [best]);
    if (typeof header.time === 'number') sample.tipTime = header.time;
  } catch {
    // the tip time stays unknown; the chain still answered
  }
  if (platform.defaults.pubkey) {
    try {
      const stats = await chainStats(client, chain, {
        pubkey: platform.defaults.pubkey,
        windowSeconds: 86_400,
      });
      if (stats.utxos !== null) sample.utxos = stats.utxos;
      if (stats.daysLeft !== null) sample.fundsLeftSeconds = stats.daysLeft * 86_400;
      else if (stats.balance !== null && stats.notarizations === 0)
        sample.fundsLeftSeconds = Number.POSITIVE_INFINITY;
      sample.lastNotarization = stats.last?.time ?? 0;
    } catch {
      // wallet metrics stay absent for this poll
    }
  }
  sample.rpcSeconds = seconds();
  return sample;
}

export interface PollOptions {
  concurrency?: number;
  timeoutMs?: number;
  /** The data directory of a chain on the monitor's host (its disk space is sampled), else undefined. */
  datadirOf?: (chain: ChainModel) => string | undefined;
  /** Poll the Iguana instances of these chains (default). A container's monitor cannot: their API is private to their own container. */
  iguana?: boolean;
}

/** Free fraction of the file system holding `dir`; undefined when it cannot be read. */
export function diskFreeRatio(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return s.blocks > 0 ? s.bavail / s.blocks : undefined;
  } catch {
    return undefined;
  }
}

export async function pollOnce(
  rt: Runtime,
  chains: readonly ChainModel[],
  opts: PollOptions = {},
): Promise<Snapshot> {
  const t0 = performance.now();
  const byName = new Map(chains.map((c) => [c.name, c]));
  await rt.prepare({ chains });
  const results = await fanout(
    chains.map((c) => c.name),
    (name) => sampleChain(rt, byName.get(name)!, opts.timeoutMs ?? 10_000),
    { concurrency: opts.concurrency ?? 64 },
  );
  const instances =
    opts.iguana === false ? [] : rt.platform.iguana.filter((g) => g.coins.some((c) => byName.has(c)));
  const igs = await iguanaStatuses(rt, instances);
  return {
    at: rt.clock.now() / 1000,
    durationSeconds: (performance.now() - t0) / 1000,
    chains: results.map((r) => {
      const sample = r.result ?? { chain: byName.get(r.target)!, up: false, rpcSeconds: r.durationMs / 1000 };
      const dir = opts.datadirOf?.(sample.chain);
      const free = dir === undefined ? undefined : diskFreeRatio(dir);
      return free === undefined ? sample : { ...sample, diskFree: free };
    }),
    iguana: instances.map((g, i) => {
      const s = igs[i]!;
      return s.state === 'running'
        ? { instance: g, up: true, ...(s.peers !== null ? { peers: s.peers } : {}) }
        : { instance: g, up: false };
    }),
  };
}
