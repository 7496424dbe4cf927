/**
 * The Iguana gateway: an HTTPS server (node:https under hono) in front of the local Iguana, which
 * listens on 127.0.0.1 only and has no authentication of its own (reference iguana-dpow-rpc.md
 * §10a). Each request is checked in this order, and each refusal has its own reason, HTTP status,
 * audit line and counter:
 *
 *   bearer token (unauthenticated, bad-token, expired) → rate per token (rate-limited) → size
 *   (oversized) → JSON with a method (bad-request) → the token's allow list (not-allowed;
 *   key-bearing calls only by exact name: key-not-allowed) → for mutating calls a fresh nonce and
 *   timestamp (nonce-missing, stale, replayed) → the bounded queue (queue-full) → Iguana.
 *
 * Iguana serves one request at a time: one IguanaClient (its own queue) carries every call, so
 * at most one is in flight. Header and body reads are bounded in time (slow: the connection gets
 * 408 and is closed), TLS handshakes too (tls). `/healthz` answers JSON with the counters,
 * `/metrics` the same as Prometheus text; neither shows a token or a parameter.
 */
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { type HttpBindings, serve as serveNode } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { DokomodoError } from '../core/errors.ts';
import { IguanaError, type IguanaClient } from '../operator/iguana-client.ts';
import type { AuditLog } from './audit.ts';
import {
  allows,
  caseClash,
  findCertToken,
  findToken,
  isByNameOnly,
  isKeyBearing,
  isReadOnly,
  methodName,
  type Token,
} from './tokens.ts';

import { ERROR_HEADER, IGUANA_PATH, NONCE_HEADER, TIME_HEADER } from './wire.ts';

export { ERROR_HEADER, IGUANA_PATH, NONCE_HEADER, TIME_HEADER };

export const REJECTIONS = [
  'unauthenticated',
  'bad-token',
  'expired',
  'rate-limited',
  'oversized',
  'bad-request',
  'not-allowed',
  'key-not-allowed',
  'nonce-missing',
  'stale',
  'replayed',
  'queue-full',
  'slow',
  'tls',
  'not-found',
] as const;
export type Rejection = (typeof REJECTIONS)[number];

const STATUS: Record<Rejection, number> = {
  unauthenticated: 401,
  'bad-token': 401,
  expired: 401,
  'rate-limited': 429,
  oversized: 413,
  'bad-request': 400,
  'not-allowed': 403,
  'key-not-allowed': 403,
  'nonce-missing': 428,
  stale: 409,
  replayed: 409,
  'queue-full': 503,
  slow: 408,
  tls: 400,
  'not-found': 404,
};

export interface GatewayLimits {
  /** Largest request body. Default 64 KiB. */
  maxBodyBytes: number;
  /** Time to receive the request headers. Default 10 s. */
  headersTimeoutMs: number;
  /** Time to receive the whole request. Default 30 s. */
  requestTimeoutMs: number;
  /** Time to finish the TLS handshake. Default 10 s. */
  handshakeTimeoutMs: number;
  /** Calls waiting for Iguana (besides the one in flight). Default 64. */
  maxQueue: number;
  /** A mutating call's timestamp may be this far from the relay's clock; nonces are kept as long. Default 120 s. */
  replayWindowMs: number;
  /** Nonces remembered at once (bounded memory); when full of unexpired ones, mutating calls wait out the window. Default 100 000. */
  maxNonces: number;
  /** Largest header block. Default 16 KiB. */
  maxHeaderBytes: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  maxBodyBytes: 64 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  handshakeTimeoutMs: 10_000,
  maxQueue: 64,
  replayWindowMs: 120_000,
  maxNonces: 100_000,
  maxHeaderBytes: 16 * 1024,
};

export interface GatewayOptions {
  /** The local Iguana, or several by instance name (`POST /iguana/NAME`; `/iguana` when there is one). */
  iguana: IguanaClient | ReadonlyMap<string, IguanaClient>;
  tokens: readonly Token[];
  cert: string;
  key: string;
  /**
   * The relay CA: when given, a client may authenticate with a certificate it signed instead of a
   * bearer token (the entry with `cert: COMMON-NAME`). Certificates of other CAs are not accepted.
   */
  ca?: string;
  host: string;
  port: number;
  audit: AuditLog;
  limits?: Partial<GatewayLimits>;
  /** Per-call timeout towards Iguana. Default 300 s (walletpassphrase, dpow). */
  callTimeoutMs?: number;
  now?: () => number;
}

export interface GatewayStats {
  ok: boolean;
  calls: number;
  inflight: number;
  queued: number;
  rejected: Record<Rejection, number>;
  iguanaErrors: number;
}

export interface Gateway {
  readonly host: string;
  readonly port: number;
  stats(): GatewayStats;
  /** Replaces the tokens (a reloaded tokens file). */
  setTokens(tokens: readonly Token[]): void;
  close(): Promise<void>;
}

interface Bucket {
  tokens: number;
  at: number;
}

type Env = { Bindings: HttpBindings };

class Refusal extends Error {
  constructor(
    readonly reason: Rejection,
    message: string,
  ) {
    super(message);
  }
}

/** Starts the gateway; resolves once it listens. */
export function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const now = opts.now ?? Date.now;
  let tokens = opts.tokens;
  const rejected = Object.fromEntries(REJECTIONS.map((r) => [r, 0])) as Record<Rejection, number>;
  let calls = 0;
  let iguanaErrors = 0;
  let waiting = 0;
  const buckets = new Map<string, Bucket>();
  const nonces = new Map<string, number>();
  const audit = opts.audit;

  const record = (
    c: Context<Env>,
    token: string | null,
    method: string | null,
    result: string,
    status: number,
    t0: number,
  ) =>
    audit.append({
      time: new Date(now()).toISOString(),
      token,
      method,
      result,
      status,
      ms: Math.round((performance.now() - t0) * 100) / 100,
      peer: c.env?.incoming?.socket?.remoteAddress ?? null,
    });

  const refuse = (c: Context<Env>, r: Refusal, token: string | null, method: string | null, t0: number) => {
    rejected[r.reason]++;
    const status = STATUS[r.reason];
    record(c, token, method, r.reason, status, t0);
    const headers: Record<string, string> = { [ERROR_HEADER]: r.reason, 'cache-control': 'no-store' };
    if (status === 401) headers['www-authenticate'] = 'Bearer realm="dokomodo-relay"';
    return c.json({ error: { code: r.reason, message: r.message } }, status as 400, headers);
  };

  const takeRate = (t: Token): boolean => {
    const burst = Math.max(1, t.rate * 2);
    const at = now();
    const b = buckets.get(t.id) ?? { tokens: burst, at };
    b.tokens = Math.min(burst, b.tokens + ((at - b.at) / 1000) * t.rate);
    b.at = at;
    buckets.set(t.id, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  };

  const checkNonce = (c: Context<Env>, tokenId: string) => {
    const nonce = c.req.header(NONCE_HEADER);
    const time = c.req.header(TIME_HEADER);
    if (!nonce || !time || !/^[A-Za-z0-9_-]{16,128}$/.test(nonce) || !/^\d{1,16}$/.test(time))
      throw new Refusal(
        'nonce-missing',
        `a mutating call needs ${NONCE_HEADER} (16–128 of [A-Za-z0-9_-]) and ${TIME_HEADER} (ms since the epoch)`,
      );
    const at = now();
    if (Math.abs(at - Number(time)) > limits.replayWindowMs)
      throw new Refusal(
        'stale',
        `the request's time is more than ${limits.replayWindowMs} ms from the relay's clock`,
      );
    const key = `${tokenId}\u0000${nonce}`;
    const seen = nonces.get(key);
    if (seen !== undefined && seen > at) throw new Refusal('replayed', 'this nonce was already used');
    if (nonces.size >= limits.maxNonces) {
      for (const [k, exp] of nonces) if (exp <= at) nonces.delete(k);
      if (nonces.size >= limits.maxNonces)
        throw new Refusal('queue-full', 'too many recent mutating calls: try again after the replay window');
    }
    nonces.set(key, at + limits.replayWindowMs);
  };

  const readBody = async (c: Context<Env>): Promise<string> => {
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > limits.maxBodyBytes)
      throw new Refusal('oversized', `the body is larger than ${limits.maxBodyBytes} bytes`);
    const body = c.req.raw.body;
    if (!body) return '';
    const chunks: Uint8Array[] = [];
    let n = 0;
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      n += value.byteLength;
      if (n > limits.maxBodyBytes) {
        await reader.cancel().catch(() => undefined);
        throw new Refusal('oversized', `the body is larger than ${limits.maxBodyBytes} bytes`);
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString('utf8');
  };

  const app = new Hono<Env>();
  const instances: ReadonlyMap<string, IguanaClient> =
    opts.iguana instanceof Map ? opts.iguana : new Map([['', opts.iguana as IguanaClient]]);
  const only = instances.size === 1 ? [...instances.values()][0] : undefined;
  const relayCall = async (c: Context<Env>, instance: string | undefined) => {
    const t0 = performance.now();
    let tokenId: string | null = null;
    let method: string | null = null;
    try {
      const iguana = instance === undefined ? only : instances.get(instance);
      const auth = c.req.header('authorization');
      let token: Token | undefined;
      if (auth?.startsWith('Bearer ') && auth.length > 7) {
        token = findToken(tokens, auth.slice(7));
        if (!token) throw new Refusal('bad-token', 'the token is not one of this relay');
      } else {
        // a client certificate, verified against the relay CA in the handshake
        const sock = c.env?.incoming?.socket as TLSSocket | undefined;
        const peer = opts.ca && sock?.authorized ? sock.getPeerCertificate() : undefined;
        const cn = peer?.subject?.CN;
        const name = Array.isArray(cn) ? cn[0] : cn;
        if (name === undefined)
          throw new Refusal(
            'unauthenticated',
            opts.ca
              ? 'send Authorization: Bearer TOKEN, or a client certificate of the relay CA'
              : 'send Authorization: Bearer TOKEN',
          );
        token = findCertToken(tokens, name);
        if (!token) throw new Refusal('bad-token', `no entry for the client certificate ${name}`);
      }
      tokenId = token.id;
      if (!iguana)
        throw new Refusal(
          'not-found',
          instance === undefined
            ? `this relay serves several Iguana instances: POST ${IGUANA_PATH}/NAME (${[...instances.keys()].join(', ')})`
            : `no Iguana instance ${instance} here`,
        );
      if (token.expiresAt !== undefined && token.expiresAt <= now())
        throw new Refusal(
          'expired',
          `token ${token.id} expired at ${new Date(token.expiresAt).toISOString()}`,
        );
      if (!takeRate(token))
        throw new Refusal('rate-limited', `token ${token.id}: more than ${token.rate} calls/s`);
      const text = await readBody(c);
      let req: unknown;
      try {
        req = JSON.parse(text);
      } catch {
        throw new Refusal('bad-request', 'the body is not JSON');
      }
      const items = Array.isArray(req) ? req : [req];
      const names = items.map(methodName);
      if (items.length === 0 || items.length > 64 || names.some((m) => m === undefined))
        throw new Refusal(
          'bad-request',
          'the body must be an Iguana request ({agent, method, …}) or a batch of 1–64',
        );
      method = (names as string[]).join(',');
      const clash = items.map(caseClash).find((k) => k !== undefined);
      if (clash !== undefined)
        throw new Refusal(
          'bad-request',
          `the key ${clash.slice(0, 32)} appears twice when case is ignored (as Iguana reads keys)`,
        );
      for (const m of names as string[]) {
        if (!allows(token, m))
          throw isKeyBearing(m)
            ? new Refusal('key-not-allowed', `${m} carries a key: token ${token.id} must allow it by name`)
            : new Refusal(
                'not-allowed',
                isByNameOnly(m)
                  ? `token ${token.id} does not allow ${m}: it must name it`
                  : `token ${token.id} does not allow ${m}`,
              );
      }
      if ((names as string[]).some((m) => !isReadOnly(m))) checkNonce(c, token.id);
      if (waiting >= limits.maxQueue)
        throw new Refusal('queue-full', `${waiting} calls already wait for Iguana`);
      waiting++;
      let reply: unknown;
      try {
        reply = await iguana.request(req as Record<string, unknown>, {
          timeoutMs: opts.callTimeoutMs ?? 300_000,
        });
      } finally {
        waiting--;
      }
      calls++;
      const failed = reply !== null && typeof reply === 'object' && !Array.isArray(reply) && 'error' in reply;
      record(c, tokenId, method, failed ? 'iguana-error' : 'ok', 200, t0);
      return c.json({ reply }, 200, { 'cache-control': 'no-store' });
    } catch (e) {
      if (e instanceof Refusal) return refuse(c, e, tokenId, method, t0);
      iguanaErrors++;
      const kind = e instanceof IguanaError ? e.kind : 'transport';
      const code =
        kind === 'empty' ? 'iguana-empty' : kind === 'timeout' ? 'iguana-timeout' : 'iguana-unreachable';
      const status = kind === 'timeout' ? 504 : 502;
      record(c, tokenId, method, code, status, t0);
      return c.json({ error: { code, kind, message: (e as Error).message } }, status, {
        [ERROR_HEADER]: code,
      });
    }
  };
  app.post(IGUANA_PATH, (c) => relayCall(c, undefined));
  app.post(`${IGUANA_PATH}/:instance`, (c) => relayCall(c, c.req.param('instance')));
  const stats = (): GatewayStats => ({
    ok: true,
    calls,
    inflight: waiting > 0 ? 1 : 0,
    queued: Math.max(0, waiting - 1),
    rejected: { ...rejected },
    iguanaErrors,
  });
  app.get('/healthz', (c) => c.json(stats(), 200, { 'cache-control': 'no-store' }));
  app.get('/metrics', (c) => {
    const s = stats();
    const lines = [
      '# HELP dokomodo_relay_calls_total Calls relayed to Iguana.',
      '# TYPE dokomodo_relay_calls_total counter',
      `dokomodo_relay_calls_total ${s.calls}`,
      '# HELP dokomodo_relay_rejected_total Requests refused by the relay, by reason.',
      '# TYPE dokomodo_relay_rejected_total counter',
      ...REJECTIONS.map((r) => `dokomodo_relay_rejected_total{reason="${r}"} ${s.rejected[r]}`),
      '# HELP dokomodo_relay_iguana_errors_total Calls that failed between the relay and Iguana.',
      '# TYPE dokomodo_relay_iguana_errors_total counter',
      `dokomodo_relay_iguana_errors_total ${s.iguanaErrors}`,
      '# HELP dokomodo_relay_queued Calls waiting for Iguana.',
      '# TYPE dokomodo_relay_queued gauge',
      `dokomodo_relay_queued ${s.queued}`,
    ];
    return c.text(`${lines.join('\n')}\n`, 200, { 'content-type': 'text/plain; version=0.0.4' });
  });
  app.all('*', (c) =>
    refuse(c, new Refusal('not-found', `try POST ${IGUANA_PATH}`), null, null, performance.now()),
  );

  return new Promise((resolve, reject) => {
    const server = serveNode({
      fetch: app.fetch,
      hostname: opts.host,
      port: opts.port,
      createServer: https.createServer,
      serverOptions: {
        cert: opts.cert,
        key: opts.key,
        // asked for, checked against the CA, but not required: bearer tokens work without one
        ...(opts.ca ? { ca: opts.ca, requestCert: true, rejectUnauthorized: false } : {}),
        minVersion: 'TLSv1.3',
        handshakeTimeout: limits.handshakeTimeoutMs,
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        maxHeaderSize: limits.maxHeaderBytes,
        keepAliveTimeout: 5_000,
        connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
      },
      autoCleanupIncoming: true,
    }) as https.Server;
    // Requests that never finish arriving (slow-loris), and header blocks over the limit.
    server.on('clientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
      const slow = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
      const big = err.code === 'HPE_HEADER_OVERFLOW';
      // TLS failures are counted by tlsClientError; resets are the peer's own business.
      if (!slow && !err.code?.startsWith('HPE_')) {
        socket.destroy();
        return;
      }
      const reason: Rejection = slow ? 'slow' : big ? 'oversized' : 'bad-request';
      rejected[reason]++;
      audit.append({
        time: new Date(now()).toISOString(),
        token: null,
        method: null,
        result: reason,
        status: STATUS[reason],
        ms: 0,
        peer: socket.remoteAddress ?? null,
      });
      if (socket.writable && !socket.destroyed) {
        const body = JSON.stringify({ error: { code: reason, message: err.message } });
        socket.end(
          `HTTP/1.1 ${STATUS[reason]} ${slow ? 'Request Timeout' : 'Bad Request'}\r\nConnection: close\r\n` +
            `Content-Type: application/json\r\n${ERROR_HEADER}: ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      }
      socket.destroySoon?.();
    });
    server.on('tlsClientError', (e: NodeJS.ErrnoException) => {
      // a handshake we refused or that timed out; a peer that hung up is not a refusal
      if (e.code !== 'ECONNRESET' && e.code !== 'EPIPE') rejected.tls++;
    });
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        new DokomodoError(
          'listen-failed',
          `cannot listen on ${opts.host}:${opts.port}: ${e.code ?? e.message}`,
          {
            hint: 'pick another --listen address or port',
          },
        ),
      );
    });
    server.once('listening', () => {
      const bound = server.address() as { port: number };
      let closing: Promise<void> | undefined;
      resolve({
        host: opts.host,
        port: bound.port,
        stats,
        setTokens(t) {
          tokens = t;
        },
        close() {
          closing ??= new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
