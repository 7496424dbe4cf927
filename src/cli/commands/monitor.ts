/** `dokomodo monitor`: poll every chain and Iguana on a schedule, serve Prometheus metrics. */
import { DokomodoError, ExitCode } from '../../core/errors.ts';
import { redact, registerSecret } from '../../core/redact.ts';
import { memoryStateStore, type StateStore } from '../../core/state.ts';
import { Alerter, type AlertEvent, monitorStateKey } from '../../monitor/alerter.ts';
import { resolveChannels, resolveHeartbeat } from '../../monitor/notify.ts';
import type { ChainModel, Platform } from '../../platform/model.ts';
import { join } from 'node:path';
import { LogTailer } from '../../monitor/logs.ts';
import { nodeRuntime } from '../../operator/runtime.ts';
import { localChain } from '../../operator/daemon/local.ts';
import { nodeHost } from '../../core/host.ts';
import { MONITOR_PATH, MONITOR_PORT } from '../../contract/metrics.ts';
import { type MonitorEvent, MonitorService } from '../../monitor/service.ts';
import { selectChains } from '../../platform/select.ts';
import { type Context, loadSelection } from '../context.ts';
import type { Listen } from '../options.ts';
import { paint } from '../output.ts';

export interface MonitorOptions {
  /** Parsed by the options (cli/options.ts). */
  listen?: Listen;
  /** Seconds. */
  interval?: number;
  once?: boolean;
  stateDir?: string;
  datadir?: string;
}

export async function monitor(ctx: Context, chains: string[], opts: MonitorOptions): Promise<number> {
  const { platform, selection } = loadSelection(ctx);
  const targets = selectChains(platform, selection, chains);
  const runtime = nodeRuntime(platform, opts.stateDir !== undefined ? { stateDir: opts.stateDir } : {});
  runtime.secret(); // read now: a missing secret ends the command before anything listens
  const intervalMs = (opts.interval ?? 30) * 1000;
  const store = runtime.state;
  const alerter = opts.once ? undefined : alerterOf(ctx, platform, store);
  // Logs are read where they are: chains of this machine (the fleet's SSH tails come later).
  const logsKey = monitorStateKey(platform, 'logs');
  const datadirOf = (c: ChainModel): string | undefined =>
    (runtime.hostOf(c.host)?.local ?? true)
      ? localChain(c, opts.datadir === undefined ? {} : { datadir: opts.datadir }).datadir
      : undefined;
  const logs = opts.once
    ? undefined
    : new LogTailer(
        targets.flatMap((c) => {
          const dir = datadirOf(c);
          return dir === undefined ? [] : [{ source: c.name, path: join(dir, 'debug.log') }];
        }),
        { seen: readSeen(store.read(logsKey)) },
      );
  const token = process.env['DOKOMODO_MONITOR_TOKEN'] || undefined;
  registerSecret(token);
  const service = new MonitorService({
    runtime,
    chains: targets,
    intervalMs,
    ...(alerter ? { alerter } : {}),
    ...(token ? { token } : {}),
    datadirOf,
    ...(logs ? { logs, saveLogs: () => store.write(logsKey, `${JSON.stringify(logs.seenState())}\n`) } : {}),
    ...(opts.once ? {} : { onEvent: (e: MonitorEvent) => printEvent(ctx, e) }),
  });
  if (opts.once) {
    await service.pollNow();
    ctx.out.stdout(await service.exporter.registry.metrics());
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

function printEvent(ctx: Context, e: MonitorEvent): void {
  if (e.kind === 'listening') {
    ctx.out.stderr(
      `dokomodo monitor: ${e.chains} chains every ${e.intervalMs / 1000} s, metrics on ${e.url}${MONITOR_PATH}, dashboard on ${e.url}/\n`,
    );
    return;
  }
  if (e.kind === 'log') {
    const p = e.event.pattern;
    ctx.out.stderr(
      paint(
        ctx.out,
        p.severity === 'critical' ? 'red' : 'yellow',
        `${e.event.source}: ${p.name}: ${redact(e.event.line)}\n  → ${p.hint}\n`,
      ),
    );
    return;
  }
  const { snapshot: s, down } = e;
  if (!ctx.opts.verbose && !down.length) return;
  ctx.out.stderr(
    paint(
      ctx.out,
      down.length ? 'yellow' : 'dim',
      `poll: ${s.chains.length - down.length}/${s.chains.length} chains up in ${s.durationSeconds.toFixed(2)} s${down.length ? `; down: ${down.slice(0, 10).join(', ')}${down.length > 10 ? ', …' : ''}` : ''}\n`,
    ),
  );
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

function printAlertEvent(ctx: Context, e: AlertEvent): void {
  switch (e.kind) {
    case 'transition':
      ctx.out.stderr(
        paint(
          ctx.out,
          e.transition.kind === 'resolved'
            ? 'green'
            : e.transition.alert.severity === 'critical'
              ? 'red'
              : 'yellow',
          `alert ${e.transition.kind}: ${e.transition.alert.summary}\n`,
        ),
      );
      return;
    case 'sent':
      if (ctx.opts.verbose) ctx.out.stderr(`alert sent to ${e.message.channel} (${e.message.kind})\n`);
      return;
    case 'retry':
      ctx.out.stderr(
        paint(
          ctx.out,
          'yellow',
          `alert channel ${e.message.channel}: ${redact(e.error)}; retrying in ${e.waitSeconds} s\n`,
        ),
      );
      return;
    case 'failed':
      ctx.out.stderr(
        paint(ctx.out, 'red', `alert channel ${e.message.channel}: ${redact(e.error)}; message dropped\n`),
      );
      return;
    case 'heartbeat-failed':
      ctx.out.stderr(paint(ctx.out, 'yellow', `heartbeat: ${redact(e.error)}\n`));
  }
}

/** `dokomodo monitor test-alert`: one message through every channel, a line per channel. */
export async function testAlert(ctx: Context): Promise<number> {
  const { platform } = loadSelection(ctx);
  if (platform.alerts.channels.length === 0) {
    throw new DokomodoError('no-alert-channels', `${platform.file} has no alert channels`, {
      hint: 'add alerts: { channels: { NAME: { type: webhook|telegram|discord|ntfy, … } } } to the platform file',
    });
  }
  const alerter = new Alerter({
    platform,
    channels: resolveChannels(platform, nodeHost()),
    store: memoryStateStore(),
  });
  const events = await alerter.testAlert();
  let failed = 0;
  for (const c of platform.alerts.channels) {
    const mine = events.filter((e) => e.message.channel === c.name);
    const sent = mine.find((e) => e.kind === 'sent');
    const last = mine[mine.length - 1];
    if (sent) {
      ctx.out.stdout(`${paint(ctx.out, 'green', 'sent')}    ${c.name} (${c.type})\n`);
    } else {
      failed++;
      const why = last && last.kind !== 'sent' ? redact(last.error) : 'not attempted';
      ctx.out.stdout(`${paint(ctx.out, 'red', 'failed')}  ${c.name} (${c.type}): ${why}\n`);
    }
  }
  return failed ? ExitCode.failure : ExitCode.ok;
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
