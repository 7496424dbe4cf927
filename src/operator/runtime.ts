/**
 * The runtime: everything a use case needs from the world, passed in one object — the platform,
 * the host's files and environment, the state store (`~/.dokomodo/…`: journals, Iguana's
 * bootstrap state, the monitor's alerts, what deploy keeps), the clock, the platform secret, and
 * the one factory of chain and Iguana clients, which knows where each daemon is reached from here.
 *
 * `nodeRuntime` is the real one (the CLI builds it once per command); `memoryRuntime` keeps the
 * state in memory and takes a fixed secret and clock, for tests. Use cases take a runtime and
 * emit typed events; they never read `process.env`, the clock or `~` themselves.
 */
import { writeFileAtomic, type AtomicWriteOptions } from '../core/atomic.ts';
import { DokomodoError } from '../core/errors.ts';
import { memoryHost, nodeHost, type SystemHost } from '../core/host.ts';
import { DEFAULT_STATE_DIR, fileStateStore, memoryStateStore, type StateStore } from '../core/state.ts';
import { rpcCredentials } from '../komodo/creds.ts';
import { iguanaAddress, serviceAddress } from '../platform/address.ts';
import type { ChainModel, HostModel, IguanaModel, Platform } from '../platform/model.ts';
import { readSecret } from '../platform/secret.ts';
import { IguanaClient } from './iguana-client.ts';
import { type Endpoint, type HostShell, localShell } from './remote/shell.ts';
import { RpcClient, type RpcClientOptions } from './rpc/client.ts';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A clock for tests: `sleep` advances it at once. */
export function manualClock(start = Date.UTC(2026, 0, 1)): Clock & { set(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}

export type ChainClientOptions = Pick<
  RpcClientOptions,
  'timeoutMs' | 'retry' | 'onEvent' | 'connections' | 'limits' | 'dispatcher'
>;

export interface IguanaClientOptions {
  timeoutMs?: number;
  connectTimeoutMs?: number;
}

/** Where a daemon's port is reached from this machine: host:port, or a forwarded Unix socket. */
export type { Endpoint } from './remote/shell.ts';

/**
 * How the controller reaches the hosts of the fleet. The default reaches every daemon at the
 * address the platform gives its host (this machine's daemons on loopback); the fleet's
 * transport (SSH with forwarded ports) plugs in here.
 */
export interface Reach {
  /**
   * Makes the hosts of these daemons reachable (connects, forwards ports) and returns the hosts
   * that are not, with the reason. Called once before a fan-out; cheap when nothing is remote.
   */
  prepare(targets: {
    chains?: readonly ChainModel[];
    iguana?: readonly IguanaModel[];
  }): Promise<Map<string, string>>;
  chainEndpoint(chain: ChainModel): Endpoint;
  iguanaEndpoint(g: IguanaModel): Endpoint;
  /** The shell of a host that is not this machine; absent when this reach has none (direct). */
  shell?(host: HostModel): HostShell;
  close(): Promise<void>;
}

/** The one factory of clients: every chain and Iguana client of a command is made here. */
export interface Clients {
  chain(chain: ChainModel, opts?: ChainClientOptions): RpcClient;
  iguana(g: IguanaModel, opts?: IguanaClientOptions): IguanaClient;
}

export interface Runtime {
  readonly platform: Platform;
  readonly host: SystemHost;
  readonly state: StateStore;
  readonly clock: Clock;
  /** The platform secret, read (and registered for redaction) on first use. */
  secret(): string;
  readonly clients: Clients;
  /** Hosts found unreachable by `prepare`, with the reason; their daemons' clients throw. */
  prepare(targets: { chains?: readonly ChainModel[]; iguana?: readonly IguanaModel[] }): Promise<void>;
  /** The platform host a chain or Iguana instance runs on (undefined: this machine). */
  hostOf(name: string | undefined): HostModel | undefined;
  /**
   * Where programs of a host run: this machine's own shell for a local host, the host's SSH
   * shell (one reused connection) for another. Throws `host-no-shell` when the runtime has no way
   * to reach that host (a direct reach), and `host-unreachable` when prepare found it down.
   */
  shell(host: HostModel): HostShell;
  /** Atomic write with exact mode and fsync (core/atomic.ts): the one single-file writer. */
  writeFile(path: string, data: string | Uint8Array, opts?: AtomicWriteOptions): void;
  close(): Promise<void>;
}

/** Each daemon at its host's address, as the rendered configuration names it (platform/address.ts). */
export function directReach(platform: Platform): Reach {
  const hostOf = (name: string | undefined) => platform.hosts.find((h) => h.name === name);
  return {
    prepare: async () => new Map(),
    chainEndpoint: (chain) => ({ host: serviceAddress(hostOf(chain.host)), port: chain.rpc }),
    iguanaEndpoint: (g) => ({ host: iguanaAddress(hostOf(g.host)), port: g.port }),
    close: async () => {},
  };
}

export interface RuntimeParts {
  host?: SystemHost;
  state?: StateStore;
  clock?: Clock;
  /** The secret itself (tests, the entrypoint's --secret-fd); default read from the platform's source. */
  secret?: string;
  reach?: Reach;
  /**
   * Makes every Iguana client instead of the reach (e.g. a relay's gateway client, `--via`); the
   * Iguana hosts are then not prepared (no SSH to them).
   */
  iguanaClient?: (g: IguanaModel, opts: IguanaClientOptions) => IguanaClient;
}

/** A runtime from its parts: what nodeRuntime and memoryRuntime share. */
export function makeRuntime(
  platform: Platform,
  parts: Required<Omit<RuntimeParts, 'secret' | 'iguanaClient'>> &
    Pick<RuntimeParts, 'iguanaClient'> & { secret?: string },
): Runtime {
  let secret = parts.secret;
  const unreachable = new Map<string, string>();
  const { reach } = parts;
  const hostOf = (name: string | undefined) => platform.hosts.find((h) => h.name === name);
  const check = (hostName: string | undefined, what: string) => {
    const why = hostName === undefined ? undefined : unreachable.get(hostName);
    if (why !== undefined) {
      throw new DokomodoError('host-unreachable', `${what}: host ${hostName} cannot be reached: ${why}`, {
        hint: `check that ${hostName} is up and that \`ssh\` to it works from this machine`,
      });
    }
  };
  const rt: Runtime = {
    platform,
    host: parts.host,
    state: parts.state,
    clock: parts.clock,
    secret() {
      secret ??= readSecret(platform, parts.host);
      return secret;
    },
    clients: {
      chain(chain, opts = {}) {
        check(chain.host, chain.name);
        const creds = rpcCredentials(rt.secret(), chain.name);
        const ep = reach.chainEndpoint(chain);
        return new RpcClient({
          ...('socketPath' in ep ? { port: chain.rpc, socketPath: ep.socketPath } : ep),
          user: creds.user,
          password: creds.password,
          label: chain.name,
          ...opts,
        });
      },
      iguana(g, opts = {}) {
        if (parts.iguanaClient) return parts.iguanaClient(g, opts);
        check(g.host, `iguana ${g.name}`);
        const ep = reach.iguanaEndpoint(g);
        return new IguanaClient({
          ...('socketPath' in ep ? { port: g.port, socketPath: ep.socketPath } : ep),
          label: `iguana ${g.name}`,
          ...opts,
        });
      },
    },
    async prepare(targets) {
      // Chains' clients need the secret: a missing one ends the command here, not per chain.
      if (targets.chains?.length) rt.secret();
      // A host found down before is tried again (a long-running monitor sees it come back).
      const t = parts.iguanaClient ? { chains: targets.chains ?? [] } : targets;
      for (const x of [...(t.chains ?? []), ...(t.iguana ?? [])])
        if (x.host !== undefined) unreachable.delete(x.host);
      for (const [h, why] of await reach.prepare(t)) unreachable.set(h, why);
    },
    hostOf,
    shell(host) {
      if (host.local) return localShell(host);
      check(host.name, `host ${host.name}`);
      if (!reach.shell) {
        throw new DokomodoError('host-no-shell', `host ${host.name} (${host.address}) is not this machine`, {
          hint: `run dokomodo on ${host.name}, or give the host \`ssh:\` so dokomodo reaches it`,
        });
      }
      return reach.shell(host);
    },
    writeFile: (path, data, opts) => writeFileAtomic(path, data, opts),
    close: () => reach.close(),
  };
  return rt;
}

/** The real runtime of a command on this machine. */
export function nodeRuntime(platform: Platform, opts: RuntimeParts & { stateDir?: string } = {}): Runtime {
  return makeRuntime(platform, {
    host: opts.host ?? nodeHost(),
    state: opts.state ?? fileStateStore(opts.stateDir ?? DEFAULT_STATE_DIR),
    clock: opts.clock ?? systemClock,
    reach: opts.reach ?? directReach(platform),
    ...(opts.secret !== undefined ? { secret: opts.secret } : {}),
    ...(opts.iguanaClient ? { iguanaClient: opts.iguanaClient } : {}),
  });
}

/** A runtime for tests: state in memory, a fixed secret, the system clock unless given one. */
export function memoryRuntime(
  platform: Platform,
  opts: RuntimeParts & { secret: string },
): Runtime & { state: StateStore & { docs: Map<string, string> } } {
  const state =
    (opts.state as (StateStore & { docs: Map<string, string> }) | undefined) ?? memoryStateStore();
  return makeRuntime(platform, {
    host: opts.host ?? memoryHost({}),
    state,
    clock: opts.clock ?? systemClock,
    reach: opts.reach ?? directReach(platform),
    secret: opts.secret,
    ...(opts.iguanaClient ? { iguanaClient: opts.iguanaClient } : {}),
  }) as Runtime & { state: StateStore & { docs: Map<string, string> } };
}
