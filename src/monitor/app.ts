/**
 * The monitor's HTTP side as one fetch-shaped app (`Request → Response`): tested in process with
 * `app.request()`, served by `serve()` on a node:http server. The dashboard, the JSON API and
 * the relay mount their routes on apps of this shape and share `serve()`.
 */
import { serve as serveNode } from '@hono/node-server';
import { Hono } from 'hono';
import { MONITOR_PATH } from '../contract/metrics.ts';
import { DokomodoError } from '../core/errors.ts';
import type { Exporter } from './exporter.ts';

/** `/metrics` (text exposition) and `/healthz` (200 once a poll has finished); GET only. */
export function monitorApp(exporter: Exporter): Hono {
  const app = new Hono();
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
