/**
 * The multi-chain devnet host: many simulated chains (1000+) in one process, each with its own
 * data directory, conf file and RPC port, optionally with Iguana simulators next to them. This is
 * what `dokomodo devnet up` runs; tests use it to get a fleet in milliseconds.
 */
import { mkdirSync } from 'node:fs';
import { type IguanaOptions, type IguanaSim, startIguana } from './iguana.ts';
import { type LaunchSpec, type RunningChain, launchChain } from './launch.ts';

/** One chain of the devnet. Fields not set fall back to the devnet-wide defaults. */
export interface DevnetChainSpec extends Omit<LaunchSpec, 'home' | 'datadir'> {
  /** Data directory; created when missing (the host's convenience — komodod itself would refuse). */
  datadir: string;
  /** Block interval for this chain (overrides the devnet's). */
  blockTimeMs?: number;
}

export interface DevnetOptions {
  chains: readonly DevnetChainSpec[];
  /** -28 warm-up of every chain. Default 0. */
  warmupMs?: number;
  /** Block interval; 0 = blocks only via mine(). Default 10 s. */
  blockTimeMs?: number;
  /** Iguana simulators to start after the chains. */
  iguanas?: readonly IguanaOptions[];
  /** Chains started at once. Default 64. */
  concurrency?: number;
  log?: (chain: string, line: string) => void;
}

export interface Devnet {
  chains: RunningChain[];
  iguanas: IguanaSim[];
  /** The chain with this name (first match); throws when absent. */
  chain(name: string): RunningChain;
  /** Stops every Iguana and chain (idempotent). */
  stop(): Promise<void>;
}

/**
 * Starts the devnet. Chains start with bounded parallelism; if one fails the ones already up are
 * stopped and the error is rethrown. When a chain named KMD is part of the devnet, the others
 * report its height as `KMDnotarized_height`.
 */
export async function startDevnet(opts: DevnetOptions): Promise<Devnet> {
  const running: RunningChain[] = [];
  const iguanas: IguanaSim[] = [];
  let kmd: RunningChain | undefined;
  const kmdHeight = () => kmd?.chain.height;
  const stopAll = async () => {
    await Promise.all(iguanas.map((i) => i.close()));
    await Promise.all(running.map((c) => c.stop()));
  };
  const specs = opts.chains;
  const width = Math.max(1, opts.concurrency ?? 64);
  const byIndex: RunningChain[] = [];
  try {
    for (let i = 0; i < specs.length; i += width) {
      const batch = specs.slice(i, i + width).map(async (s, k) => {
        mkdirSync(s.datadir, { recursive: true });
        const { blockTimeMs, ...rest } = s;
        const spec: LaunchSpec = {
          pidFile: false,
          ...rest,
          warmupMs: s.warmupMs ?? opts.warmupMs ?? 0,
          chain: {
            kmdHeight,
            ...s.chain,
            blockTimeMs: blockTimeMs ?? s.chain?.blockTimeMs ?? opts.blockTimeMs ?? 10_000,
          },
        };
        if (opts.log) spec.log = (line) => opts.log?.(s.name, line);
        const r = await launchChain(spec);
        running.push(r);
        byIndex[i + k] = r;
        if (r.name === 'KMD') kmd = r;
        return r;
      });
      const settled = await Promise.allSettled(batch);
      const failed = settled.find((x) => x.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
    for (const io of opts.iguanas ?? []) iguanas.push(await startIguana(io));
  } catch (e) {
    await stopAll();
    throw e;
  }
  let stopping: Promise<void> | undefined;
  return {
    // in the caller's order
    chains: byIndex,
    iguanas,
    chain(name) {
      const c = running.find((r) => r.name === name);
      if (!c) throw new Error(`no devnet chain named ${name}`);
      return c;
    },
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };
}
