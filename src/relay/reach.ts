/**
 * Chain RPC from a machine that is not a host of the platform (an operator's laptop) through the
 * relays: a `Reach` whose `prepare` opens, for each chain of another host, a tunnel listener on
 * 127.0.0.1 (an ephemeral port) carried over mutual TLS — with this machine's certificate from
 * the platform's relay CA — to that host's relay (`relay.tunnel_port`), which connects to the
 * chain's 127.0.0.1. The chain clients then call 127.0.0.1:PORT; credentials and replies travel
 * inside TLS. Chains of this machine are reached directly. Each host's relay is tried once per
 * prepare: a host whose relay does not complete a TLS handshake is reported unreachable with the
 * reason, its chains `unreachable`.
 */
import net from 'node:net';
import tls from 'node:tls';
import { type Reach, directReach } from '../operator/runtime.ts';
import { serviceAddress } from '../platform/address.ts';
import type { HostModel, Platform } from '../platform/model.ts';
import type { TlsMaterial } from './certs.ts';
import { startTunnelListener, type TunnelListener } from './tunnel.ts';

function probe(host: string, port: number, m: TlsMaterial, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = tls.connect({
      host,
      port,
      ca: m.ca,
      cert: m.cert,
      key: m.key,
      minVersion: 'TLSv1.3',
      ...(net.isIP(host) ? {} : { servername: host }),
    });
    const timer = setTimeout(() => {
      s.destroy();
      resolve(`no TLS handshake with its relay at ${host}:${port} within ${timeoutMs} ms`);
    }, timeoutMs);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve(undefined);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(
        `its relay at ${host}:${port}: ${e.code === 'ECONNREFUSED' ? 'connection refused (is `dokomodo relay` running there?)' : (e.code ?? e.message)}`,
      );
    });
  });
}

export function relayReach(
  platform: Platform,
  material: TlsMaterial,
  opts: { probeTimeoutMs?: number; log?: (line: string) => void } = {},
): Reach {
  const direct = directReach(platform);
  const hostOf = (name: string | undefined): HostModel | undefined =>
    platform.hosts.find((h) => h.name === name);
  const listeners = new Map<string, TunnelListener>();
  return {
    async prepare(targets) {
      const down = new Map<string, string>();
      const remote = (targets.chains ?? []).filter((c) => {
        const h = hostOf(c.host);
        return h !== undefined && !h.local;
      });
      const hosts = [...new Set(remote.map((c) => c.host as string))];
      await Promise.all(
        hosts.map(async (name) => {
          const h = hostOf(name)!;
          const why = await probe(
            serviceAddress(h),
            h.relay.tunnelPort,
            material,
            opts.probeTimeoutMs ?? 5_000,
          );
          if (why !== undefined) down.set(name, why);
        }),
      );
      for (const c of remote) {
        if (listeners.has(c.name) || down.has(c.host as string)) continue;
        const h = hostOf(c.host)!;
        listeners.set(
          c.name,
          await startTunnelListener({
            spec: {
              name: c.name,
              listenPort: 0,
              remotePort: c.rpc,
              peer: { host: serviceAddress(h), port: h.relay.tunnelPort },
            },
            tls: material,
            ...(opts.log ? { log: opts.log } : {}),
          }),
        );
      }
      return down;
    },
    chainEndpoint(chain) {
      const l = listeners.get(chain.name);
      return l ? { host: '127.0.0.1', port: l.port } : direct.chainEndpoint(chain);
    },
    iguanaEndpoint: (g) => direct.iguanaEndpoint(g),
    async close() {
      await Promise.all([...listeners.values()].map((l) => l.close()));
      listeners.clear();
    },
  };
}
