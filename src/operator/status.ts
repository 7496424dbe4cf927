/**
 * Status of every chain and Iguana instance: one getinfo per chain (plus the notarized block's
 * header for its time when there is one), all chains at once with bounded concurrency, each
 * reduced to the few numbers an operator reads at a glance.
 *
 * States: `running`; `starting` (-28 warm-up); `stopped` (connection refused: nothing listens);
 * `not-komodod` (something answers on the port, but not komodod's JSON-RPC: an HTML page, bytes
 * that are not HTTP, a connection closed without a reply); `bad-reply` (a JSON-RPC reply beyond
 * the client's size or nesting limits); `error` (anything else: credentials, timeouts, RPC errors).
 */
import { DokomodoError } from '../core/errors.ts';
import type { ChainModel, IguanaModel } from '../platform/model.ts';
import { fanout } from './fanout.ts';
import { remoteChain, remotePid } from './daemon/remote.ts';
import { type DaemonInfo, daemonInfo } from './info.ts';
import { type RpcClient, RpcError } from './rpc/client.ts';
import type { Runtime } from './runtime.ts';

export type ChainState =
  | 'running'
  | 'starting'
  | 'stopped'
  | 'not-komodod'
  | 'bad-reply'
  | 'unreachable'
  | 'error';

/** States that mean something is wrong with what answers (the exit code of `status` says so). */
export const FAILED_STATES: ReadonlySet<ChainState> = new Set([
  'error',
  'not-komodod',
  'bad-reply',
  'unreachable',
]);

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
  state: 'running' | 'stopped' | 'unreachable' | 'error';
  peers: number | null;
  message: string | null;
}

export interface StatusOptions {
  concurrency?: number;
  timeoutMs?: number;
}

/** The status of every chain, each asked where it runs; a chain of an unreachable host is `unreachable`. */
export async function chainStatuses(
  rt: Runtime,
  chains: readonly ChainModel[],
  opts: StatusOptions = {},
): Promise<ChainStatus[]> {
  const now = () => rt.clock.now();
  const byName = new Map(chains.map((c) => [c.name, c]));
  await rt.prepare({ chains });
  const results = await fanout(
    chains.map((c) => c.name),
    async (name) => {
      const chain = byName.get(name)!;
      let client: RpcClient;
      try {
        // One connection per chain for its one or two calls: a pool or an agent in front of it
        // costs more than the calls themselves.
        client = rt.clients.chain(chain, {
          timeoutMs: opts.timeoutMs ?? 5_000,
          retry: false,
          connections: 1,
        });
      } catch (e) {
        if (e instanceof DokomodoError && e.code === 'host-unreachable')
          return blank(chain, 'unreachable', e.message);
        throw e;
      }
      let st: ChainStatus;
      try {
        st = await statusOf(client, chain, now);
      } finally {
        await client.close();
      }
      return st.state === 'error' || st.state === 'not-komodod' ? await remoteStopped(rt, chain, st) : st;
    },
    { concurrency: opts.concurrency ?? 64 },
  );
  return results.map((r) => r.result ?? blank(byName.get(r.target)!, 'error', r.error?.message ?? 'failed'));
}

/**
 * Through an SSH-forwarded port a closed remote port does not look refused: ssh accepts the
 * local connection, fails to open the channel and closes it unanswered. For a chain of another
 * host that did not answer, its host says whether a daemon runs at all (its pid file): none is
 * `stopped`, as a refused connection is here.
 */
async function remoteStopped(rt: Runtime, chain: ChainModel, st: ChainStatus): Promise<ChainStatus> {
  const host = rt.hostOf(chain.host);
  if (!host || host.local || host.control !== 'process') return st;
  try {
    const pid = await remotePid(rt.shell(host), remoteChain(chain, host));
    return pid === undefined
      ? { ...st, state: 'stopped', message: `no daemon runs on host ${host.name}` }
      : st;
  } catch {
    return st;
  }
}

/** The state a failed getinfo means. */
export function stateOfError(e: RpcError): ChainState {
  switch (e.kind) {
    case 'warmup':
      return 'starting';
    case 'bad-reply':
      return 'bad-reply';
    case 'transport': {
      const code = transportCode(e) ?? '';
      if (code === 'ECONNREFUSED') return 'stopped';
      // something accepted the connection, then closed it unanswered or sent bytes that are not
      // HTTP; unreachable hosts, connect timeouts and the like are errors, not a foreign server
      return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code.startsWith('HPE_')
        ? 'not-komodod'
        : 'error';
    }
    case 'http':
      // komodod's own non-JSON replies are 5xx (work queue full, shutting down); any other
      // status without a JSON-RPC body comes from some other server
      return (e.httpStatus ?? 0) >= 500 ? 'error' : 'not-komodod';
    default:
      return 'error';
  }
}

function transportCode(e: RpcError): string | undefined {
  let cur: unknown = e.cause;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string') return c;
    // undici's parser error has a code only for some of llhttp's errors
    if ((cur as { name?: unknown }).name === 'HTTPParserError') return 'HPE_';
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
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
      const state = stateOfError(e);
      return blank(chain, state, state === 'stopped' ? null : e.message);
    }
    throw e;
  }
  let notarizedAge: number | null = null;
  if (info.notarized && info.notarizedhash && !/^0+$/.test(info.notarizedhash)) {
    try {
      const header = await client.call<{ time?: number }>('getblockheader', [info.notarizedhash]);
      if (typeof header?.time === 'number')
        notarizedAge = Math.max(0, Math.round(now() / 1000 - header.time));
    } catch (e) {
      // A reply over the limits is the chain's state, whichever call got it; for anything else
      // the age stays unknown and the rest of the status is still right.
      if (e instanceof RpcError && e.kind === 'bad-reply') return blank(chain, 'bad-reply', e.message);
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
  rt: Runtime,
  instances: readonly IguanaModel[],
  opts: { timeoutMs?: number } = {},
): Promise<IguanaStatus[]> {
  await rt.prepare({ iguana: instances });
  return Promise.all(
    instances.map(async (g) => {
      const base = { instance: g.name, host: g.host ?? null, port: g.port };
      try {
        const client = rt.clients.iguana(g, {
          timeoutMs: opts.timeoutMs ?? 5_000,
          connectTimeoutMs: 1_000,
        });
        const peers = await client.call<unknown>({ agent: 'dpow', method: 'ipaddrs' });
        return {
          ...base,
          state: 'running' as const,
          peers: Array.isArray(peers) ? peers.length : null,
          message: null,
        };
      } catch (e) {
        if (e instanceof DokomodoError && e.code === 'host-unreachable')
          return { ...base, state: 'unreachable' as const, peers: null, message: e.message };
        const kind = (e as { kind?: string }).kind;
        if (kind === 'transport') return { ...base, state: 'stopped' as const, peers: null, message: null };
        return { ...base, state: 'error' as const, peers: null, message: (e as Error).message };
      }
    }),
  );
}

/** `status`: every selected chain, and every Iguana instance notarizing one of them. */
export async function collectStatus(
  rt: Runtime,
  chains: readonly ChainModel[],
  opts: StatusOptions = {},
): Promise<{ chains: ChainStatus[]; iguana: IguanaStatus[] }> {
  const igs = rt.platform.iguana.filter((g) => g.coins.some((c) => chains.some((x) => x.name === c)));
  const [cs, is] = await Promise.all([chainStatuses(rt, chains, opts), iguanaStatuses(rt, igs)]);
  return { chains: cs, iguana: is };
}
