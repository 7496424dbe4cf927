/**
 * The monitor's HTTP side as one fetch-shaped app (`Request → Response`): tested in process with
 * `app.request()`, served by `serve()` on a node:http server. The dashboard, the JSON API and
 * the relay mount their routes on apps of this shape and share `serve()`.
 */
import { serve as serveNode } from '@hono/node-server';
import { createHash, timingSafeEqual } from 'node:crypto';
import { type Context, Hono, type Next } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import { MONITOR_PATH } from '../contract/metrics.ts';
import { DokomodoError } from '../core/errors.ts';
import type { Alerter } from './alerter.ts';
import { dashboardHtml } from './dashboard.ts';
import type { LogTailer } from './logs.ts';
import { EXPOSITION_CONTENT_TYPE, type Exporter } from './exporter.ts';
import type { Hub } from './model.ts';

export interface MonitorAppDeps {
  exporter: Exporter;
  alerter?: Alerter;
  hub: Hub;
  /** Shown in the page title: the platform file. */
  title: string;
  /** The status model of the last poll as JSON, made once per poll (undefined before the first). */
  modelJson: () => string | undefined;
  /** The same, encoded once. */
  modelBytes: () => Uint8Array<ArrayBuffer> | undefined;
  logs?: LogTailer;
  /**
   * When set, the page and the API ask for it (Authorization: Bearer, the `dokomodo_token`
   * cookie, or `?token=` once, which sets the cookie). `/metrics` and `/healthz` stay open for
   * scrapers and probes.
   */
  token?: string;
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * `/` (the live page), `/api/status` (the last poll with its history and alerts), `/api/events`
 * (the same model pushed after every poll, server-sent events), `/api/alerts`, `/metrics`
 * (text exposition) and `/healthz` (200 once a poll has finished); GET only.
 */
export function monitorApp(deps: MonitorAppDeps): Hono {
  const { exporter, alerter, hub } = deps;
  const app = new Hono();
  const modelJson = deps.modelJson;
  const guarded = async (c: Context, next: Next) => {
    if (!deps.token) return next();
    const auth = c.req.header('authorization');
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    const cookie = getCookie(c, 'dokomodo_token');
    const query = c.req.query('token');
    if (query !== undefined && sameSecret(query, deps.token)) {
      setCookie(c, 'dokomodo_token', query, { httpOnly: true, sameSite: 'Strict', path: '/' });
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    if ((bearer && sameSecret(bearer, deps.token)) || (cookie && sameSecret(cookie, deps.token)))
      return next();
    return c.text(
      'this monitor needs its token: open /?token=… once, or send Authorization: Bearer …\n',
      401,
      {
        'www-authenticate': 'Bearer realm="dokomodo"',
      },
    );
  };
  app.use('/', guarded);
  app.use('/api/*', guarded);
  app.get('/', (c) =>
    c.html(dashboardHtml(deps.title), 200, {
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    }),
  );
  app.get('/api/status', (c) => {
    const json = deps.modelBytes();
    return json
      ? c.body(json, 200, { 'content-type': 'application/json' })
      : c.json({ error: 'no poll yet' }, 503);
  });
  app.get('/api/events', (c) =>
    streamSSE(c, async (stream) => {
      const first = modelJson();
      if (first) await stream.writeSSE({ event: 'status', data: first });
      await new Promise<void>((resolve) => {
        const unsubscribe = hub.subscribe(
          (json) => {
            void stream.writeSSE({ event: 'status', data: json });
          },
          () => resolve(),
        );
        stream.onAbort(() => {
          unsubscribe();
          resolve();
        });
      });
    }),
  );
  app.get('/api/logs', (c) => c.json({ sources: deps.logs?.sources ?? [] }));
  app.get('/api/logs/:source', (c) => {
    const source = c.req.param('source');
    const lines = deps.logs?.lines(source);
    if (!lines) return c.json({ error: `no log of ${source} is tailed here` }, 404);
    const n = Math.min(Math.max(Number(c.req.query('lines') ?? 100) || 100, 1), 1000);
    return c.json({ source, lines: lines.slice(-n) });
  });
  app.get('/api/alerts', (c) =>
    c.json({
      enabled: alerter !== undefined,
      alerts: (alerter?.alerts ?? []).map(({ key: _key, notifiedAt: _n, ...a }) => a),
      queued: alerter?.pending ?? 0,
    }),
  );
  // Made once per poll: the text, and its gzip for clients that take it (Prometheus does).
  app.get(MONITOR_PATH, async (c) => {
    const headers = { 'content-type': EXPOSITION_CONTENT_TYPE, vary: 'accept-encoding' };
    if (/\bgzip\b/i.test(c.req.header('accept-encoding') ?? '')) {
      const gz = await exporter.metricsGzip();
      return c.body(gz as Uint8Array<ArrayBuffer>, 200, { ...headers, 'content-encoding': 'gzip' });
    }
    return c.body(exporter.metricsBytes(), 200, headers);
  });
  app.get('/healthz', (c) => (exporter.snapshot ? c.text('ok\n', 200) : c.text('no poll yet\n', 503)));
  app.all('*', (c) =>
    c.req.method === 'GET' || c.req.method === 'HEAD'
      ? c.text(`not found: try / or ${MONITOR_PATH}\n`, 404)
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
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            // event streams and idle keep-alive connections would hold the close forever
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
  });
}
