/** `dokomodo monitor`: poll every chain and Iguana on a schedule, serve Prometheus metrics. */
import { ExitCode, usageError } from '../../core/errors.ts';
import { nodeHost } from '../../core/host.ts';
import { MONITOR_PATH, MONITOR_PORT } from '../../contract/metrics.ts';
import { type MonitorEvent, MonitorService } from '../../monitor/service.ts';
import { readSecret } from '../../platform/secret.ts';
import { selectChains } from '../../platform/select.ts';
import { type Context, loadSelection } from '../context.ts';
import { paint } from '../output.ts';

export interface MonitorOptions {
  listen?: string;
  interval?: string;
  once?: boolean;
}

function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d+)$/.exec(text);
  const port = Number(m?.[2]);
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw usageError(
      'bad-listen',
      `--listen ${text} is not [ADDRESS:]PORT`,
      `e.g. --listen 127.0.0.1:${MONITOR_PORT}`,
    );
  }
  return { host: (m[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}

export async function monitor(ctx: Context, chains: string[], opts: MonitorOptions): Promise<number> {
  const { platform, selection } = loadSelection(ctx);
  const targets = selectChains(platform, selection, chains);
  const secret = readSecret(platform, nodeHost());
  const intervalMs = Math.max(1, Number(opts.interval ?? 30)) * 1000;
  if (!Number.isFinite(intervalMs))
    throw usageError('bad-interval', `--interval ${opts.interval} is not a number of seconds`);
  const service = new MonitorService({
    platform,
    chains: targets,
    secret,
    intervalMs,
    ...(opts.once ? {} : { onEvent: (e: MonitorEvent) => printEvent(ctx, e) }),
  });
  if (opts.once) {
    await service.pollNow();
    ctx.out.stdout(await service.exporter.registry.metrics());
    return ExitCode.ok;
  }
  const { host, port } = parseListen(opts.listen ?? `127.0.0.1:${MONITOR_PORT}`);
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
      `dokomodo monitor: ${e.chains} chains every ${e.intervalMs / 1000} s, metrics on ${e.url}${MONITOR_PATH}\n`,
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
