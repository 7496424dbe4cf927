/** `dokomodo monitor`: poll every chain and Iguana on a schedule, serve Prometheus metrics. */
import { DokomodoError, ExitCode } from '../../core/errors.ts';
import { nodeHost } from '../../core/host.ts';
import { Exporter } from '../../monitor/exporter.ts';
import { MONITOR_PATH, MONITOR_PORT } from '../../monitor/metrics.ts';
import { pollOnce } from '../../monitor/poller.ts';
import { readSecret } from '../../platform/secret.ts';
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
}

export async function monitor(ctx: Context, chains: string[], opts: MonitorOptions): Promise<number> {
  const { platform, selection } = loadSelection(ctx);
  const targets = selectChains(platform, selection, chains);
  const secret = readSecret(platform, nodeHost());
  const exporter = new Exporter(platform);
  if (opts.once) {
    exporter.update(await pollOnce(platform, targets, secret));
    ctx.out.stdout(await exporter.registry.metrics());
    return ExitCode.ok;
  }
  const intervalMs = (opts.interval ?? 30) * 1000;
  const { host, port } = opts.listen ?? { host: '127.0.0.1', port: MONITOR_PORT };
  const server = exporter.server();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'EADDRINUSE'
          ? 'the port is in use'
          : e.code === 'EADDRNOTAVAIL'
            ? 'no such local address'
            : e.code === 'EACCES'
              ? 'permission denied'
              : String(e.code ?? e.message);
      reject(
        new DokomodoError('listen-failed', `cannot listen on ${host}:${port}: ${why}`, {
          hint: 'pick another --listen address or port',
        }),
      );
    });
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as { port: number };
  ctx.out.stderr(
    `dokomodo monitor: ${targets.length} chains every ${intervalMs / 1000} s, metrics on http://${host}:${bound.port}${MONITOR_PATH}\n`,
  );
  let stopping = false;
  const stop = () => {
    stopping = true;
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  while (!stopping) {
    const s = await pollOnce(platform, targets, secret);
    exporter.update(s);
    const down = s.chains.filter((c) => !c.up).map((c) => c.chain.name);
    if (ctx.opts.verbose || down.length) {
      ctx.out.stderr(
        paint(
          ctx.out,
          down.length ? 'yellow' : 'dim',
          `poll: ${s.chains.length - down.length}/${s.chains.length} chains up in ${s.durationSeconds.toFixed(2)} s${down.length ? `; down: ${down.slice(0, 10).join(', ')}${down.length > 10 ? ', …' : ''}` : ''}\n`,
        ),
      );
    }
    const end = Date.now() + intervalMs;
    while (!stopping && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
  }
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await new Promise((r) => server.close(r));
  return ExitCode.ok;
}
