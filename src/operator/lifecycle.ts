/**
 * The lifecycle use cases: start, stop and restart a set of chains, each on the host that runs it,
 * with bounded concurrency and a result per chain. Progress is told through typed events; the
 * caller (the CLI, deploy, recover) decides how to show it.
 */
import { DokomodoError } from '../core/errors.ts';
import type { ChainModel, HostModel } from '../platform/model.ts';
import { type RemoteOptions, remoteChain, startRemote, stopRemote } from './daemon/remote.ts';
import type { HostShell } from './remote/shell.ts';
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
  devnet?: {
    bin: string;
    extraArgs?: readonly string[];
    /** The devnet executable's path on the other hosts. Default: the same path as here. */
    remoteBin?: string;
  };
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
 * How a chain is acted on: here as a process of this machine, or on its host through that
 * host's shell. A backend other than dokomodo's own processes is not driven yet: refused.
 */
function placeOf(rt: Runtime, chain: ChainModel): { remote?: { host: HostModel; shell: HostShell } } {
  const host = rt.hostOf(chain.host);
  if (!host) return {};
  if (host.control !== 'process') {
    throw new DokomodoError(
      'control-unsupported',
      `${chain.name}: host ${host.name} runs its daemons with ${host.control}, which start/stop do not drive yet`,
      {
        hint: `use the rendered ${host.control} files on ${host.name}, or set hosts.${host.name}.control: process`,
      },
    );
  }
  if (host.local) return {};
  return { remote: { host, shell: rt.shell(host) } };
}

function remoteOptions(rt: Runtime, opts: LifecycleOptions): RemoteOptions {
  return {
    runtime: rt,
    ...(opts.devnet
      ? { devnet: { bin: opts.devnet.remoteBin ?? opts.devnet.bin, extraArgs: opts.devnet.extraArgs ?? [] } }
      : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  };
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
      const { remote } = placeOf(rt, chain);
      if (remote) {
        const { state } = await startRemote(
          remoteChain(chain, remote.host),
          remote.shell,
          remoteOptions(rt, opts),
        );
        return { state };
      }
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
      const { remote } = placeOf(rt, chain);
      if (remote) return stopRemote(remoteChain(chain, remote.host), remote.shell, remoteOptions(rt, rest));
      return stopChain(localChain(chain, local), local);
    },
    {
      concurrency: opts.concurrency ?? Math.max(rt.platform.defaults.start.concurrency, 16),
      onResult: (result) => opts.onEvent?.({ type: 'stopped', result }),
    },
  );
}
