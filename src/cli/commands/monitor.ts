/** `dokomodo monitor`: poll every chain and Iguana on a schedule; serve metrics, the page and the API; evaluate and deliver alerts. */
import { ExitCode, usageError } from '../../core/errors.ts';
import { containerSecretEnv } from '../../compiler/renderers/entrypoint.ts';
import { registerSecret } from '../../core/redact.ts';
import type { StateStore } from '../../core/state.ts';
import { Alerter, monitorStateKey } from '../../monitor/alerter.ts';
import { resolveChannels, resolveHeartbeat } from '../../monitor/notify.ts';
import type { ChainModel, Platform } from '../../platform/model.ts';
import { LogTailer } from '../../monitor/logs.ts';
import { logSources } from '../../monitor/log-sources.ts';
import { clusterReach, fleetReach } from '../../operator/remote/reach.ts';
import { nodeRuntime } from '../../operator/runtime.ts';
import { localChain } from '../../operator/daemon/local.ts';
import { nodeHost } from '../../core/host.ts';
import { MONITOR_PORT } from '../../contract/metrics.ts';
import { type MonitorEvent, MonitorService } from '../../monitor/service.ts';
import { asHost, selectChains } from '../../platform/select.ts';
import { type Context, loadSelection } from '../context.ts';
import type { Listen } from '../options.ts';
import { paint } from '../output.ts';
import { printAlertEvent, printEvent } from '../views/monitor.ts';

export interface MonitorOptions {
  /** Parsed by the options (cli/options.ts). */
  listen?: Listen;
  /** Seconds. */
  interval?: number;
  once?: boolean;
  stateDir?: string;
  datadir?: string;
  /** The platform host this monitor runs on (its chains are this machine's). */
  asHost?: string;
  /** The monitor runs in a container of the compose or kubernetes target. */
  container?: string;
}

export async function monitor(ctx: Context, chains: string[], opts: MonitorOptions): Promise<number> {
  const loaded = await loadSelection(ctx);
  const { selection } = loaded;
  let platform = loaded.platform;
  if (opts.asHost !== undefined) {
    const seen = asHost(platform, opts.asHost);
    if (!seen)
      throw usageError(
        'unknown-host',
        `no host ${opts.asHost} in ${platform.file}`,
        `--as-host names the host this monitor runs on: one of ${platform.hosts.map((h) => h.name).join(', ') || '(none)'}`,
      );
    platform = seen;
  }
  const container = opts.container;
  if (container !== undefined && container !== 'compose' && container !== 'kubernetes')
    throw usageError('bad-option', `--container ${container}: expected compose or kubernetes`);
  if (container === 'compose' && opts.asHost === undefined && platform.hosts.length > 0)
    throw usageError(
      'bad-option',
      '--container compose needs --as-host: the host whose compose project this monitor is part of',
    );
  // Containers get the platform secret in their environment, whatever the platform file says.
  if (container !== undefined && !('env' in platform.secret))
    platform = { ...platform, secret: { env: containerSecretEnv(platform) } };
  let targets = selectChains(platform, selection, chains);
  // A compose project's monitor shares its host's network: it reaches that host's chains on
  // loopback, and no other host (no SSH in the container).
  if (container === 'compose' && opts.asHost !== undefined)
    targets = targets.filter((c) => c.host === opts.asHost);
  // The fleet's chains are polled where they run (SSH-forwarded ports), like status; in the
  // kubernetes namespace at their Services.
  const runtime = nodeRuntime(platform, {
    reach: container === 'kubernetes' ? clusterReach(platform) : fleetReach(platform),
    ...(opts.stateDir !== undefined ? { stateDir: opts.stateDir } : {}),
  });
  ctx.cleanups.push(() => runtime.close());
  runtime.secret(); // read now: a missing secret ends the command before anything listens
  const intervalMs = (opts.interval ?? 30) * 1000;
  const store = runtime.state;
  const alerter = opts.once ? undefined : alerterOf(ctx, platform, store);
  // Logs are read where they are: files of this machine directly, of other hosts over SSH.
  const logsKey = monitorStateKey(platform, 'logs');
  const datadirOf = (c: ChainModel): string | undefined =>
    (runtime.hostOf(c.host)?.local ?? true)
      ? localChain(c, opts.datadir === undefined ? {} : { datadir: opts.datadir }).datadir
      : undefined;
  // With --once the tails only start (nothing is read before the start); the remote disk is read.
  // In a container the daemons log to the container runtime (-printtoconsole): nothing to tail.
  const logs = new LogTailer(
    container
      ? []
      : logSources(runtime, targets, opts.datadir === undefined ? {} : { datadir: opts.datadir }),
    opts.once ? {} : { seen: readSeen(store.read(logsKey)) },
  );
  const token = process.env['DOKOMODO_MONITOR_TOKEN'] || undefined;
  registerSecret(token);
  const service = new MonitorService({
    runtime,
    chains: targets,
    intervalMs,
    ...(alerter ? { alerter } : {}),
    ...(token ? { token } : {}),
    ...(container ? { iguana: false } : { datadirOf }),
    logs,
    ...(opts.once ? {} : { saveLogs: () => store.write(logsKey, `${JSON.stringify(logs.seenState())}\n`) }),
    ...(opts.once ? {} : { onEvent: (e: MonitorEvent) => printEvent(ctx, e) }),
  });
  if (opts.once) {
    await service.pollNow();
    ctx.out.stdout(service.exporter.metricsText());
    return ExitCode.ok;
  }
  const { host, port } = opts.listen ?? { host: '127.0.0.1', port: MONITOR_PORT };
  if (!token && !/^(127\.|localhost$|::1$|\[::1\]$)/.test(host)) {
    ctx.out.stderr(
      paint(
        ctx.out,
        'yellow',
        `warning: the page and /api on ${host} are open to anyone who reaches it; set DOKOMODO_MONITOR_TOKEN to ask for a token\n`,
      ),
    );
  }
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await service.run(host, port, stopping.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return ExitCode.ok;
}

function alerterOf(ctx: Context, platform: Platform, store: StateStore): Alerter | undefined {
  const { channels: models, heartbeat } = platform.alerts;
  if (models.length === 0 && !heartbeat) return undefined;
  const host = nodeHost();
  const channels = resolveChannels(platform, host);
  const heartbeatUrl = heartbeat ? resolveHeartbeat(platform, host) : undefined;
  return new Alerter({
    platform,
    channels,
    store,
    ...(heartbeatUrl ? { heartbeatUrl } : {}),
    onEvent: (e) => printAlertEvent(ctx, e),
  });
}

/** Log matches saved by the last run; anything unreadable is forgotten, not fatal. */
function readSeen(text: string | undefined): Record<string, Record<string, number>> {
  if (text === undefined) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, Record<string, number>>)
      : {};
  } catch {
    return {};
  }
}
