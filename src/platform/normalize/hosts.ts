/** The `hosts` section, and resolving the host a chain or Iguana instance runs on. */
import { isLoopback } from '../address.ts';
import { DEFAULTS } from '../defaults.ts';
import type { Defaults, HostModel } from '../model.ts';
import { HOST_RE } from '../schema.ts';
import { hostHint, type Parsed, type Path, type Report } from './context.ts';

export interface Hosts {
  hosts: HostModel[];
  byName: Map<string, HostModel>;
  names: string[];
  /** The host a chain or iguana instance runs on; reports missing or unknown hosts. */
  resolve(declared: string | undefined, path: Path): string | undefined;
}

export function normalizeHosts(report: Report, input: Parsed['hosts'], defaults: Defaults): Hosts {
  const { err } = report;
  const hosts: HostModel[] = [];
  for (const [name, h0] of Object.entries(input ?? {})) {
    if (!HOST_RE.test(name)) {
      err(
        'bad-name',
        ['hosts', name],
        `host name \`${name}\` is not allowed`,
        'use letters, digits, `-`, `_` and `.` (it names directories and inventory hosts)',
        true,
      );
      continue;
    }
    if (!h0) {
      err(
        'missing-key',
        ['hosts', name],
        `host \`${name}\` has no address`,
        'add `address: <ip or dns name>`',
        true,
      );
      continue;
    }
    const user = h0.user ?? h0.ssh?.user ?? defaults.user;
    const engine = h0.engine ?? DEFAULTS.host.engine;
    hosts.push({
      name,
      address: h0.address,
      ssh: {
        user: h0.ssh?.user ?? user,
        port: h0.ssh?.port ?? DEFAULTS.host.sshPort,
        key: h0.ssh?.key,
        knownHosts: h0.ssh?.known_hosts,
        options: h0.ssh?.options ?? {},
      },
      local: h0.ssh === undefined && isLoopback(h0.address),
      engine,
      control: h0.control ?? DEFAULTS.host.controlOfEngine[engine],
      roles: h0.roles ?? [...DEFAULTS.host.roles],
      user,
      home: h0.home ?? (user ? (user === 'root' ? '/root' : `/home/${user}`) : undefined),
      datadir: h0.datadir ?? defaults.datadir,
      labels: h0.labels ?? {},
      relay: {
        port: h0.relay?.port ?? DEFAULTS.host.relayPort,
        tunnelPort: h0.relay?.tunnel_port ?? DEFAULTS.host.relayTunnelPort,
      },
      via: h0.via ?? 'direct',
    });
  }
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const names = [...byName.keys()];
  if (defaults.host !== undefined && !byName.has(defaults.host)) {
    err(
      'unknown-host',
      ['defaults', 'host'],
      `defaults.host \`${defaults.host}\` is not defined under hosts`,
      hostHint(defaults.host, names),
    );
  }

  const resolve = (declared: string | undefined, path: Path): string | undefined => {
    if (declared !== undefined) {
      if (!byName.has(declared)) {
        err(
          'unknown-host',
          [...path, 'host'],
          `host \`${declared}\` is not defined under hosts`,
          hostHint(declared, names),
        );
      }
      return declared;
    }
    if (defaults.host !== undefined) return defaults.host;
    if (hosts.length === 1) return hosts[0]!.name;
    if (hosts.length > 1) {
      err(
        'missing-host',
        path,
        `${path.join('.')} names no host and there are ${hosts.length} hosts`,
        'add `host: <name>` here, or set `defaults.host`',
        true,
      );
    }
    return undefined;
  };
  return { hosts, byName, names, resolve };
}
