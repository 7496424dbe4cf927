/**
 * `dokomodo relay` on one host of the platform: what it serves there, computed from the platform
 * (`relayPlan`, pure), and the running relay (`startRelay`):
 *
 * - the Iguana gateway in front of this host's Iguana instances (each at 127.0.0.1:PORT), when the
 *   host has any;
 * - a tunnel server for the chains of this host: the far end of other relays' tunnels, which
 *   connects only to the RPC port of a platform chain of this host;
 * - a tunnel listener on 127.0.0.1:RPCPORT for each chain of this host's Iguana instances that runs
 *   on another host, carried to that host's relay.
 */
import { DokomodoError } from '../core/errors.ts';
import { IguanaClient } from '../operator/iguana-client.ts';
import { serviceAddress } from '../platform/address.ts';
import type { HostModel, Platform } from '../platform/model.ts';
import { openAuditLog } from './audit.ts';
import type { TlsMaterial } from './certs.ts';
import { type Gateway, type GatewayLimits, startGateway } from './gateway.ts';
import type { Token } from './tokens.ts';
import {
  startTunnelListener,
  startTunnelServer,
  type TunnelListener,
  type TunnelServer,
  type TunnelSpec,
} from './tunnel.ts';

export interface RelayPlan {
  host: HostModel;
  /** Iguana instances of this host: name → port on 127.0.0.1. */
  iguana: Map<string, number>;
  /** RPC port → chain: the chains of this host, the only ports the tunnel server connects to. */
  chainPorts: Map<number, string>;
  /** One listener per chain of this host's Iguana instances that runs on another host. */
  tunnels: TunnelSpec[];
}

/** The platform host this relay runs on: `--host NAME`, else the one host that is this machine. */
export function relayHost(platform: Platform, name: string | undefined): HostModel {
  if (name !== undefined) {
    const h = platform.hosts.find((x) => x.name === name);
    if (h) return h;
    throw new DokomodoError('unknown-host', `no host named ${name} in the platform file`, {
      hint: `one of: ${platform.hosts.map((x) => x.name).join(', ') || '(none)'}`,
      exitCode: 2,
    });
  }
  const local = platform.hosts.filter((h) => h.local);
  if (local.length === 1) return local[0]!;
  throw new DokomodoError('relay-host-needed', 'which host of the platform is this relay on?', {
    hint: `pass --host NAME (one of: ${platform.hosts.map((x) => x.name).join(', ') || '(none)'})`,
    exitCode: 2,
  });
}

/** `peerPort` overrides every other host's `relay.tunnel_port` (tests, `--peer-port`). */
export function relayPlan(platform: Platform, host: HostModel, peerPort?: number): RelayPlan {
  const onHost = (h: string | undefined) => h === host.name || (h === undefined && host.local);
  const iguana = new Map<string, number>();
  const chainPorts = new Map<number, string>();
  for (const c of platform.chains) if (onHost(c.host)) chainPorts.set(c.rpc, c.name);
  const tunnels: TunnelSpec[] = [];
  const seen = new Set<string>();
  for (const g of platform.iguana) {
    if (!onHost(g.host)) continue;
    iguana.set(g.name, g.port);
    for (const coin of g.coins) {
      const chain = platform.chains.find((c) => c.name === coin);
      if (!chain || onHost(chain.host) || seen.has(chain.name)) continue;
      seen.add(chain.name);
      const peer = platform.hosts.find((h) => h.name === chain.host);
      tunnels.push({
        name: chain.name,
        listenPort: chain.rpc,
        remotePort: chain.rpc,
        peer: { host: serviceAddress(peer), port: peerPort ?? peer?.relay.tunnelPort ?? 7781 },
      });
    }
  }
  return { host, iguana, chainPorts, tunnels };
}

export interface RelayOptions {
  plan: RelayPlan;
  tls: TlsMaterial;
  tokens: readonly Token[];
  auditPath: string;
  /** Where the gateway listens; undefined: no gateway. */
  gateway?: { host: string; port: number; limits?: Partial<GatewayLimits> };
  /** Where the tunnel server listens; undefined: none. */
  tunnelServer?: { host: string; port: number };
  /** Where this host's chains answer, for the tunnel server. Default 127.0.0.1. */
  chainHost?: string;
  /** Whether to open the tunnel listeners of the plan. */
  tunnels: boolean;
  log?: (line: string) => void;
}

export interface Relay {
  gateway: Gateway | undefined;
  tunnelServer: TunnelServer | undefined;
  tunnels: TunnelListener[];
  close(): Promise<void>;
}

export async function startRelay(opts: RelayOptions): Promise<Relay> {
  const audit = openAuditLog(opts.auditPath);
  const relay: Relay = {
    gateway: undefined,
    tunnelServer: undefined,
    tunnels: [],
    async close() {
      await Promise.all([
        relay.gateway?.close(),
        relay.tunnelServer?.close(),
        ...relay.tunnels.map((t) => t.close()),
      ]);
      await audit.close();
    },
  };
  try {
    if (opts.gateway) {
      if (opts.plan.iguana.size === 0)
        throw new DokomodoError(
          'relay-no-iguana',
          `host ${opts.plan.host.name} runs no Iguana instance to relay`,
          {
            hint: 'run the gateway on the Iguana host, or pass --no-gateway here (tunnels only)',
          },
        );
      const clients = new Map(
        [...opts.plan.iguana].map(([name, port]) => [
          name,
          new IguanaClient({ port, label: `iguana ${name}` }),
        ]),
      );
      relay.gateway = await startGateway({
        iguana: clients,
        tokens: opts.tokens,
        cert: opts.tls.cert,
        key: opts.tls.key,
        ca: opts.tls.ca,
        host: opts.gateway.host,
        port: opts.gateway.port,
        audit,
        ...(opts.gateway.limits ? { limits: opts.gateway.limits } : {}),
      });
    }
    if (opts.tunnelServer) {
      relay.tunnelServer = await startTunnelServer({
        ...opts.tunnelServer,
        ...(opts.chainHost ? { targetHost: opts.chainHost } : {}),
        tls: opts.tls,
        ports: opts.plan.chainPorts,
        ...(opts.log ? { log: opts.log } : {}),
      });
    }
    if (opts.tunnels)
      for (const spec of opts.plan.tunnels)
        relay.tunnels.push(
          await startTunnelListener({ spec, tls: opts.tls, ...(opts.log ? { log: opts.log } : {}) }),
        );
  } catch (e) {
    await relay.close();
    throw e;
  }
  return relay;
}
