/**
 * The monitor's HTTP side as one fetch-shaped app (`Request → Response`): tested in process with
 * `app.request()`, served by `serve()` on a node:http server. The dashboard, the JSON API and
 * the relay mount their routes on apps of this shape and share `serve()`.
 */
import { serve as serveNode } from '@hono/node-server';
import { Hono } from 'hono';
import { MONITOR_PATH } from '../contract/metrics.ts';
import { DokomodoError } from '../core/errors.ts';
import type { Alerter } from './alerter.ts';
import type { Exporter } from './exporter.ts';

/**
 * `/metrics` (text exposition), `/healthz` (200 once a poll has finished), `/api/status` (the last
 * poll) and `/api/alerts` (pending and firing alerts, messages waiting); GET only.
 */
export function monitorApp(exporter: Exporter, alerter?: Alerter): Hono {
  const app = new Hono();
  app.get('/api/status', (c) => {
    const s = exporter.snapshot;
    if (!s) return c.json({ error: 'no poll yet' }, 503);
    return c.json({
      at: s.at,
      durationSeconds: s.durationSeconds,
      chains: s.chains.map(({ chain, ...v }) => ({ chain: chain.name, host: chain.host ?? null, ...v })),
      iguana: s.iguana.map(({ instance, ...v }) => ({
        iguana: instance.name,
        host: instance.host ?? null,
        ...v,
      })),
    });
  });
  app.get('/api/alerts', (c) =>
    c.json({
      enabled: alerter !== undefined,
      alerts: (alerter?.alerts ?? []).map(({ key: _key, notifiedAt: _n, ...a }) => a),
      queued: alerter?.pending ?? 0,
    }),
  );
  app.get(MONITOR_PATH, async (c) =>
    c.body(await exporter.registry.metrics(), 200, { 'content-type': exporter.registry.contentType }),
  );
  app.get('/healthz', (c) => (exporter.snapshot ? c.text('ok\n', 200) : c.text('no poll yet\n', 503)));
  app.all('*', (c) =>
    c.req.method === 'GET' || c.req.method === 'HEAD'
      ? c.text(`not found: try ${MONITOR_PATH}\n`, 404)
      : c.body(null, 405, { allow: 'GET' }),
  );
  return app;
}

export interface Served {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Listens with a fetch-shaped app; a taken port or a foreign address is a `listen-failed` error. */
export function serve(
  app: { fetch: (req: Request) => Response | Promise<Response> },
  host: string,
  port: number,
): Promise<Served> {
  return new Promise((resolve, reject) => {
    const server = serveNode({ fetch: app.fetch, hostname: host, port, autoCleanupIncoming: true });
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
    server.once('listening', () => {
      const bound = server.address() as { port: number };
      resolve({
        host,
        port: bound.port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
