/**
 * The monitor's own service, shared by the systemd, compose and kubernetes targets: which hosts
 * run it (role `monitor`), its command line, and what it needs beside the platform file — the
 * platform secret and the alert channels' tokens, which never go into a rendered file. They
 * come from the environment (an env file the operator writes from the rendered example, a
 * compose `.env`, a Kubernetes Secret) or from the files the platform file names.
 *
 * Where it listens: the host's address and MONITOR_PORT, which is where the rendered Prometheus
 * scrapes it (monitoring/prometheus.yml); loopback stays loopback. The page and the API ask for
 * DOKOMODO_MONITOR_TOKEN; /metrics and /healthz stay open for the scraper and the probes.
 */
import { MONITOR_PORT } from '../../contract/metrics.ts';
import type { HostModel, Platform, SecretOrText, SecretSource } from '../../platform/model.ts';
import { LOCAL_HOST, type RenderContext } from '../artifact.ts';

export const MONITOR_UNIT = 'dokomodo-monitor.service';
/** The monitor's directory on its host: the platform file's copy, the env file. */
export const MONITOR_DIR = '~/.dokomodo/monitor';
/** The env file the operator creates from `monitor.env.example` (never rendered). */
export const MONITOR_ENV_FILE = 'monitor.env';
/** The monitor's token for the page and the API. */
export const MONITOR_TOKEN_ENV = 'DOKOMODO_MONITOR_TOKEN';
/** Seconds between polls of the rendered monitor (the CLI's default). */
export const MONITOR_INTERVAL_SECONDS = 30;

/** Hosts of the render that run the monitor: role `monitor`; a platform without hosts runs it here. */
export function monitorHosts(ctx: RenderContext): string[] {
  if (ctx.platform.hosts.length === 0) return ctx.hosts.includes(LOCAL_HOST) ? [LOCAL_HOST] : [];
  return ctx.platform.hosts
    .filter((h) => h.roles.includes('monitor') && ctx.hosts.includes(h.name))
    .map((h) => h.name);
}

/** An IPv6 literal needs brackets before `:port`. */
function hostPort(address: string, port: number): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Where the monitor of `host` listens: the address Prometheus scrapes. */
export function monitorListen(host: HostModel | undefined): string {
  const address = !host || host.address === 'localhost' ? '127.0.0.1' : host.address;
  return hostPort(address, MONITOR_PORT);
}

export interface MonitorCommand {
  /** The platform file as the monitor sees it. */
  file: string;
  listen: string;
  stateDir: string;
  /** The platform host it runs on (absent: a platform without hosts, or a container). */
  asHost?: string;
  /** A data directory given to `start --datadir` (containers: none). */
  datadir?: string;
}

/** `dokomodo` arguments of the monitor (after the program name). */
export function monitorArgs(ctx: RenderContext, c: MonitorCommand): string[] {
  return [
    '-f',
    c.file,
    ...(ctx.selection.env ? ['-e', ctx.selection.env] : []),
    'monitor',
    '--listen',
    c.listen,
    '--interval',
    String(MONITOR_INTERVAL_SECONDS),
    '--state-dir',
    c.stateDir,
    ...(c.asHost ? ['--as-host', c.asHost] : []),
  ];
}

export interface MonitorSecret {
  /** An environment variable (the env file, .env, a Secret key) or a file on the monitor's host. */
  env?: string;
  file?: string;
  what: string;
}

/** Everything secret the monitor reads: the platform secret, the channels' tokens, the heartbeat. */
export function monitorSecrets(platform: Platform, opts: { platformSecret?: boolean } = {}): MonitorSecret[] {
  const out: MonitorSecret[] = [{ env: MONITOR_TOKEN_ENV, what: 'the token of the page and the API' }];
  const add = (src: SecretOrText | SecretSource | undefined, what: string) => {
    if (src === undefined || typeof src === 'string') return;
    const s = 'env' in src ? { env: src.env, what } : { file: src.file, what };
    if (out.some((o) => (s.env !== undefined ? o.env === s.env : o.file === s.file))) return;
    out.push(s);
  };
  if (opts.platformSecret !== false)
    add(platform.secret, 'the platform secret (every chain’s RPC password is derived from it)');
  for (const c of platform.alerts.channels) {
    if (c.type === 'telegram') add(c.token, `the bot token of alert channel ${c.name}`);
    else if (c.type === 'ntfy') {
      add(c.url, `the url of alert channel ${c.name}`);
      add(c.token, `the token of alert channel ${c.name}`);
    } else add(c.url, `the url of alert channel ${c.name}`);
  }
  add(platform.alerts.heartbeat?.url, 'the heartbeat url');
  return out;
}

/**
 * Lines of an env file template: every variable the monitor reads, empty, with what it is.
 * `platformSecret: false` for containers, whose template has the platform secret already.
 */
export function monitorEnvLines(platform: Platform, opts: { platformSecret?: boolean } = {}): string[] {
  const lines: string[] = [];
  const secrets = monitorSecrets(platform, opts);
  for (const s of secrets) {
    if (s.env === undefined) continue;
    lines.push(`# ${s.what}`, `${s.env}=`);
  }
  const files = secrets.filter((s) => s.file !== undefined);
  if (files.length) {
    lines.push('#', '# Read from files (not from this file), relative to the platform file’s directory:');
    for (const s of files) lines.push(`#   ${s.file}: ${s.what}`);
  }
  return lines;
}
