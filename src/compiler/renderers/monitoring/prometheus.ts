/** Prometheus: the scrape targets of the fleet and the server configuration. */
import { MONITOR_PATH, MONITOR_PORT, NODE_EXPORTER_PORT } from '../../../contract/metrics.ts';
import { LOCAL_HOST, type RenderContext } from '../../artifact.ts';
import { ALERTMANAGER_ADDRESS, RULES_FILE } from './files.ts';

export interface ScrapeTarget {
  /** `address:port` */
  address: string;
  host: string;
}

export interface Fleet {
  env: string;
  monitors: ScrapeTarget[];
  nodes: ScrapeTarget[];
}

export function fleetOf(ctx: RenderContext): Fleet {
  const { platform, selection } = ctx;
  const env = selection.env ?? 'all';
  const addressOf = (name: string): string =>
    platform.hosts.find((h) => h.name === name)?.address ?? '127.0.0.1';
  // A platform without hosts runs everything, the monitor included, on this machine.
  const local = platform.hosts.length === 0;
  const hosts = local ? [LOCAL_HOST] : selection.hosts.map((h) => h.name);
  const monitorHosts = local
    ? [LOCAL_HOST]
    : selection.hosts.filter((h) => h.roles.includes('monitor')).map((h) => h.name);
  return {
    env,
    monitors: monitorHosts.map((h) => ({ address: `${target(addressOf(h))}:${MONITOR_PORT}`, host: h })),
    nodes: hosts.map((h) => ({ address: `${target(addressOf(h))}:${NODE_EXPORTER_PORT}`, host: h })),
  };
}

/** An IPv6 literal needs brackets before `:port`. */
function target(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

function staticConfigs(targets: readonly ScrapeTarget[], env: string): unknown[] {
  return targets.map((t) => ({ targets: [t.address], labels: { env, host: t.host } }));
}

export function prometheusDocument(fleet: Fleet): unknown {
  return {
    global: { scrape_interval: '30s', scrape_timeout: '10s', evaluation_interval: '30s' },
    rule_files: [RULES_FILE],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [ALERTMANAGER_ADDRESS] }] }] },
    scrape_configs: [
      {
        job_name: 'dokomodo',
        // Chain series carry the chain's own `host`; it must win over the monitor target's.
        honor_labels: true,
        metrics_path: MONITOR_PATH,
        static_configs: staticConfigs(fleet.monitors, fleet.env),
      },
      { job_name: 'node', static_configs: staticConfigs(fleet.nodes, fleet.env) },
    ],
  };
}
