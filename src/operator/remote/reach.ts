/**
 * How a controller reaches the daemons of the whole fleet: a daemon of this machine at its
 * address, a daemon of another host through its loopback port forwarded over that host's one SSH
 * master connection to a Unix socket in a private directory here. No RPC port of another host is
 * ever opened to the network, and no RPC password crosses it outside SSH.
 *
 * `prepare` connects to each host the command needs once (in parallel, bounded), then forwards
 * that host's ports; a host that cannot be reached is reported with ssh's own reason and its
 * daemons become `unreachable` — the other hosts carry on.
 */
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DokomodoError } from '../../core/errors.ts';
import { iguanaAddress, serviceAddress } from '../../platform/address.ts';
import type { ChainModel, HostModel, IguanaModel, Platform } from '../../platform/model.ts';
import { containerNames } from '../../compiler/renderers/entrypoint.ts';
import { fanout } from '../fanout.ts';
import type { Reach } from '../runtime.ts';
import { type Endpoint, type HostShell, type SshShellOptions, sshShell } from './shell.ts';

export interface FleetReachOptions extends Partial<SshShellOptions> {
  /** The shell of a remote host (tests); default sshShell. */
  shellFor?: (host: HostModel) => HostShell;
  /** Hosts connected at once. Default 8. */
  concurrency?: number;
}

/**
 * A private directory for control and forwarded sockets: short (a Unix socket path holds at most
 * 107 bytes), owned by this user, mode 0700, refused if it is anything else.
 */
export function controlDirectory(base = tmpdir()): string {
  const uid = process.getuid?.() ?? 0;
  const dir = join(base, `dokomodo-ssh-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid) {
    throw new DokomodoError(
      'ssh-control-dir',
      `${dir} is not a directory owned by this user: it cannot hold SSH control sockets`,
      { hint: `remove ${dir}, or set TMPDIR to a private directory` },
    );
  }
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}

export function fleetReach(platform: Platform, opts: FleetReachOptions = {}): Reach {
  const hostByName = new Map(platform.hosts.map((h) => [h.name, h]));
  const shells = new Map<string, HostShell>();
  const endpoints = new Map<string, Endpoint>();
  /** The host of each forwarded endpoint. */
  const endpointHost = new Map<string, string>();
  let controlDir = opts.controlDir;
  const shellOf = (h: HostModel): HostShell => {
    let sh = shells.get(h.name);
    if (!sh) {
      controlDir ??= controlDirectory();
      sh = opts.shellFor ? opts.shellFor(h) : sshShell(h, { ...opts, controlDir });
      shells.set(h.name, sh);
    }
    return sh;
  };
  const remote = (name: string | undefined) => {
    const h = name === undefined ? undefined : hostByName.get(name);
    return h && !h.local ? h : undefined;
  };
  const key = (kind: 'chain' | 'iguana', name: string) => `${kind}:${name}`;

  return {
    async prepare(targets) {
      // A master that died (host rebooted, idle past ControlPersist) took its forwards along:
      // forget them, so they are made again below.
      await Promise.all(
        [...shells.entries()].map(async ([name, sh]) => {
          if (await sh.alive()) return;
          shells.delete(name);
          await sh.close();
          for (const k of [...endpoints.keys()]) if (endpointHost.get(k) === name) endpoints.delete(k);
        }),
      );
      // host → the ports to forward there
      const wanted = new Map<string, { host: HostModel; ports: { key: string; port: number }[] }>();
      const want = (h: HostModel | undefined, k: string, port: number) => {
        if (!h || endpoints.has(k)) return;
        let w = wanted.get(h.name);
        if (!w) {
          w = { host: h, ports: [] };
          wanted.set(h.name, w);
        }
        w.ports.push({ key: k, port });
      };
      for (const c of targets.chains ?? []) want(remote(c.host), key('chain', c.name), c.rpc);
      for (const g of targets.iguana ?? []) want(remote(g.host), key('iguana', g.name), g.port);
      const unreachable = new Map<string, string>();
      const results = await fanout(
        [...wanted.keys()],
        async (name) => {
          const { host, ports } = wanted.get(name)!;
          const sh = shellOf(host);
          // One connection first: every forward then rides on the master it leaves.
          const r = await sh.run(['true'], { timeoutMs: ((opts.connectTimeoutSeconds ?? 10) + 5) * 1000 });
          if (r.code !== 0) throw new Error(r.stderr.trim() || `ssh exited ${r.code}`);
          const eps = await sh.forwardAll(
            ports.map((p) => p.port),
            '127.0.0.1',
          );
          for (const [i, p] of ports.entries()) {
            endpoints.set(p.key, eps[i]!);
            endpointHost.set(p.key, name);
          }
        },
        { concurrency: opts.concurrency ?? 8 },
      );
      for (const r of results) if (!r.ok) unreachable.set(r.target, r.error?.message ?? 'failed');
      return unreachable;
    },
    chainEndpoint: (chain: ChainModel) =>
      endpoints.get(key('chain', chain.name)) ?? {
        host: serviceAddress(hostByName.get(chain.host ?? '')),
        port: chain.rpc,
      },
    iguanaEndpoint: (g: IguanaModel) =>
      endpoints.get(key('iguana', g.name)) ?? {
        host: iguanaAddress(hostByName.get(g.host ?? '')),
        port: g.port,
      },
    shell: (host: HostModel) => shellOf(host),
    async close() {
      const all = [...shells.values()];
      shells.clear();
      endpoints.clear();
      await Promise.all(all.map((s) => s.close()));
    },
  };
}

/**
 * Inside the kubernetes target's namespace: each chain at its ClusterIP Service (the name the
 * kubernetes target gives it, as Iguana's `rpchost` says); the chains' NetworkPolicy lets the
 * monitor's pods in. Iguana's API listens on its own pod's loopback only and is not reachable.
 */
export function clusterReach(platform: Platform): Reach {
  const names = containerNames(platform);
  return {
    prepare: async () => new Map(),
    chainEndpoint: (chain) => ({ host: names.chain(chain.name), port: chain.rpc }),
    iguanaEndpoint: (g) => ({ host: names.iguana(g.name), port: g.port }),
    close: async () => {},
  };
}
