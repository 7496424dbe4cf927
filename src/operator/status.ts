/**
 * Status of every chain and Iguana instance: one getinfo per chain (plus the notarized block's
 * time when there is one), all chains at once with bounded concurrency, each reduced to the few
 * numbers an operator reads at a glance.
 */
import type { ChainModel, IguanaModel, Platform } from '../platform/model.ts';
import { rpcCredentials } from '../komodo/creds.ts';
import { hostAddress, iguanaClient } from './clients.ts';
import { fanout } from './fanout.ts';
import { type DaemonInfo, daemonInfo } from './info.ts';
import { Agent } from 'undici';
import { RpcClient, RpcError } from './rpc/client.ts';

export type ChainState = 'running' | 'starting' | 'stopped' | 'error';

export interface ChainStatus {
  chain: string;
  host: string | null;
  state: ChainState;
  blocks: number | null;
  longestchain: number | null;
  connections: number | null;
  balance: number | null;
  notarized: number | null;
  /** Seconds since the notarized block's time. */
  notarizedAge: number | null;
  version: string | null;
  /** The warm-up status text or the error, when not running. */
  message: string | null;
}

export interface IguanaStatus {
  instance: string;
  host: string | null;
  port: number;
  state: 'running' | 'stopped' | 'error';
  peers: number | null;
  message: string | null;
}

export interface StatusOptions {
  secret: string;
  concurrency?: number;
  timeoutMs?: number;
  /** Address of a chain's RPC; default 127.0.0.1 for chains without a host or on a loopback host. */
  address?: (chain: ChainModel) => string;
  now?: () => number;
}

export async function chainStatuses(
  platform: Platform,
  chains: readonly ChainModel[],
  opts: StatusOptions,
): Promise<ChainStatus[]> {
  const address = opts.address ?? ((chain: ChainModel) => hostAddress(platform, chain.host));
  const now = opts.now ?? (() => Date.now());
  const byName = new Map(chains.map((c) => [c.name, c]));
  // One dispatcher for the whole fan-out: a pool per chain costs more than the calls themselves.
  const agent = new Agent({ connections: 1, pipelining: 1 });
  const results = await fanout(
    chains.map((c) => c.name),
    async (name) => {
      const chain = byName.get(name)!;
      const creds = rpcCredentials(opts.secret, chain.name);
      const client = new RpcClient({
        host: address(chain),
        port: chain.rpc,
        user: creds.user,
        password: creds.password,
        label: chain.name,
        timeoutMs: opts.timeoutMs ?? 5_000,
        retry: false,
        dispatcher: agent,
      });
      return statusOf(client, chain, now);
    },
    { concurrency: opts.concurrency ?? 256 },
  );
  await agent.close();
  return results.map((r) => r.result ?? blank(byName.get(r.target)!, 'error', r.error?.message ?? 'failed'));
}

function blank(chain: ChainModel, state: ChainState, message: string | null): ChainStatus {
  return {
    chain: chain.name,
    host: chain.host ?? null,
    state,
    blocks: null,
    longestchain: null,
    connections: null,
    balance: null,
    notarized: null,
    notarizedAge: null,
    version: null,
    message,
  };
}

async function statusOf(client: RpcClient, chain: ChainModel, now: () => number): Promise<ChainStatus> {
  let info: DaemonInfo;
  try {
    info = await daemonInfo(client);
  } catch (e) {
    if (e instanceof RpcError) {
      if (e.kind === 'warmup') return blank(chain, 'starting', e.message);
      if (e.kind === 'transport') return blank(chain, 'stopped', null);
      return blank(chain, 'error', e.message);
    }
    throw e;
  }
  let notarizedAge: number | null = null;
  if (info.notarized && info.notarizedhash && !/^0+$/.test(info.notarizedhash)) {
    try {
      const block = await client.call<{ time?: number }>('getblock', [info.notarizedhash, 1]);
      if (typeof block.time === 'number') notarizedAge = Math.max(0, Math.round(now() / 1000 - block.time));
    } catch {
      // the age stays unknown; the rest of the status is still right
    }
  }
  return {
    chain: chain.name,
    host: chain.host ?? null,
    state: 'running',
    blocks: info.blocks ?? null,
    longestchain: info.longestchain ?? null,
    connections: info.connections ?? null,
    balance: info.balance ?? null,
    notarized: info.notarized ?? null,
    notarizedAge,
    version: info.KMDversion ?? info.subversion ?? (info.version !== undefined ? String(info.version) : null),
    message: null,
  };
}

export async function iguanaStatuses(
  platform: Platform,
  instances: readonly IguanaModel[],
  opts: { timeoutMs?: number } = {},
): Promise<IguanaStatus[]> {
  return Promise.all(
    instances.map(async (g) => {
      const client = iguanaClient(platform, g, {
        timeoutMs: opts.timeoutMs ?? 5_000,
        connectTimeoutMs: 1_000,
      });
      const base = { instance: g.name, host: g.host ?? null, port: g.port };
      try {
        const peers = await client.call<unknown>({ agent: 'dpow', method: 'ipaddrs' });
        return {
          ...base,
          state: 'running' as const,
          peers: Array.isArray(peers) ? peers.length : null,
          message: null,
        };
      } catch (e) {
        const kind = (e as { kind?: string }).kind;
        if (kind === 'transport') return { ...base, state: 'stopped' as const, peers: null, message: null };
        return { ...base, state: 'error' as const, peers: null, message: (e as Error).message };
      }
    }),
  );
}
