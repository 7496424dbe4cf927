/**
 * The lifecycle use cases: start, stop and restart a set of chains, each on the host that runs it,
 * with bounded concurrency and a result per chain. Progress is told through typed events; the
 * caller (the CLI, deploy, recover) decides how to show it.
 */
import { DokomodoError } from '../core/errors.ts';
import type { ChainModel } from '../platform/model.ts';
import {
  type DaemonEvent,
  type LocalOptions,
  localChain,
  type StartState,
  type StopState,
  startChain,
  stopChain,
} from './daemon/local.ts';
import { fanout, type TargetResult } from './fanout.ts';
import type { Runtime } from './runtime.ts';

export type LifecycleEvent =
  | DaemonEvent
  | { type: 'started'; result: TargetResult<{ state: StartState }> }
  | { type: 'stopped'; result: TargetResult<{ state: StopState }> };

export interface LifecycleOptions {
  /** Run dokomodo's simulator (the devnet executable) instead of komodod. */
  devnet?: { bin: string; extraArgs?: readonly string[] };
  /** Rebase every chain's data directory under this directory (this machine only). */
  datadir?: string;
  concurrency?: number;
  onEvent?: (e: LifecycleEvent) => void;
}

function localOptions(rt: Runtime, opts: LifecycleOptions): LocalOptions {
  return {
    runtime: rt,
    ...(opts.devnet
      ? { devnet: true, devnetBin: opts.devnet.bin, extraArgs: opts.devnet.extraArgs ?? [] }
      : {}),
    ...(opts.datadir !== undefined ? { datadir: opts.datadir } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  };
}

/**
 * A chain this machine may act on as a process of its own. A chain of another host is never
 * started here: its host's daemon control does that (the fleet), or it is refused.
 */
function checkHere(rt: Runtime, chain: ChainModel): void {
  const host = rt.hostOf(chain.host);
  if (host && !host.local) {
    throw new DokomodoError(
      'chain-on-other-host',
      `${chain.name} runs on host ${host.name} (${host.address}), not on this machine`,
      { hint: `run dokomodo on ${host.name}, or give the host \`ssh:\` so dokomodo reaches it` },
    );
  }
}

export async function startChains(
  rt: Runtime,
  chains: readonly ChainModel[],
  opts: LifecycleOptions = {},
): Promise<TargetResult<{ state: StartState }>[]> {
  const local = localOptions(rt, opts);
  const byName = new Map(chains.map((c) => [c.name, c]));
  await rt.prepare({ chains });
  return fanout(
    chains.map((c) => c.name),
    async (name) => {
      const chain = byName.get(name)!;
      checkHere(rt, chain);
      const { state } = await startChain(localChain(chain, local), local);
      return { state };
    },
    {
      concurrency: opts.concurrency ?? rt.platform.defaults.start.concurrency,
      onResult: (result) => opts.onEvent?.({ type: 'started', result }),
    },
  );
}

export async function stopChains(
  rt: Runtime,
  chains: readonly ChainModel[],
  opts: LifecycleOptions = {},
): Promise<TargetResult<{ state: StopState }>[]> {
  const { devnet: _devnet, ...rest } = opts;
  const local = localOptions(rt, rest);
  const byName = new Map(chains.map((c) => [c.name, c]));
  await rt.prepare({ chains });
  return fanout(
    chains.map((c) => c.name),
    async (name) => {
      const chain = byName.get(name)!;
      checkHere(rt, chain);
      return stopChain(localChain(chain, local), local);
    },
    {
      concurrency: opts.concurrency ?? Math.max(rt.platform.defaults.start.concurrency, 16),
      onResult: (result) => opts.onEvent?.({ type: 'stopped', result }),
    },
  );
}
