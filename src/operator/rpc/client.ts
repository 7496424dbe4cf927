/**
 * JSON-RPC client for komodod (and bitcoind-style daemons) over undici keep-alive pools.
 *
 * Retry policy (explicit, per client, overridable per call):
 * - retried with exponential backoff until a deadline: connection refused / reset / closed
 *   (a daemon starting or restarting), -28 "warming up", and HTTP 5xx replies whose body is not
 *   JSON-RPC (work queue full, shutting down);
 * - never retried: 401/403 (wrong credentials or IP), JSON-RPC application errors, timeouts (the
 *   call may have run: sendtoaddress must not be sent twice), other HTTP statuses, and replies
 *   beyond the size or nesting limits (`bad-reply`: deeper than any daemon nests, or larger than
 *   any reply an operator needs — a runaway or hostile server).
 * Each retry is reported through `onEvent` so a CLI can show it with --verbose.
 *
 * Every error message and event text passes `redact()`; the password is registered as a secret,
 * and credentials are never part of a label or URL the client prints.
 */
import type { Dispatcher } from 'undici';
// The dispatcher classes alone: undici's index also loads fetch, WebSocket, caches and mocks,
// which costs a status command about 100 ms of start-up for nothing it uses.
import UndiciClient from 'undici/lib/dispatcher/client.js';
import UndiciPool from 'undici/lib/dispatcher/pool.js';
import buildConnector from 'undici/lib/core/connect.js';
import { DokomodoError } from '../../core/errors.ts';
import { redact, registerSecret } from '../../core/redact.ts';
import { komodoUserPass } from '../../komodo/conf.ts';

export type RpcErrorKind = 'auth' | 'transport' | 'timeout' | 'warmup' | 'rpc' | 'http' | 'bad-reply';

/** Limits on one reply; a reply beyond either is a `bad-reply` error, read no further. */
export interface ReplyLimits {
  /** Bytes of the body. Default 32 MiB (komodod's largest replies — a verbose block, a big
   * listunspent — stay well under it). */
  maxBytes: number;
  /** Nesting of arrays and objects. Default 128 (komodod nests fewer than 10 deep). */
  maxDepth: number;
}

export const DEFAULT_REPLY_LIMITS: ReplyLimits = { maxBytes: 32 * 1024 * 1024, maxDepth: 128 };

/** A failed call. `code` is the JSON-RPC error code when the daemon sent one. */
export class RpcError extends Error {
  readonly kind: RpcErrorKind;
  readonly code: number | undefined;
  /** The chain or endpoint (host:port) the call went to; never contains credentials. */
  readonly label: string;
  readonly method: string;
  readonly httpStatus: number | undefined;
  /** Attempts made, retries included. */
  attempts = 1;

  constructor(
    kind: RpcErrorKind,
    message: string,
    opts: { label: string; method: string; code?: number; httpStatus?: number; cause?: unknown },
  ) {
    super(redact(message), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'RpcError';
    this.kind = kind;
    this.code = opts.code;
    this.label = opts.label;
    this.method = opts.method;
    this.httpStatus = opts.httpStatus;
  }

  /** Whether the default policy retries this error. */
  get transient(): boolean {
    return (
      this.kind === 'transport' ||
      this.kind === 'warmup' ||
      (this.kind === 'http' && (this.httpStatus ?? 0) >= 500)
    );
  }
}

export interface RetryPolicy {
  /** Give up when the next attempt would start later than this after the first. Default 60 s. */
  deadlineMs: number;
  /** First backoff delay. Default 250 ms. */
  initialDelayMs: number;
  /** Backoff cap. Default 5 s. */
  maxDelayMs: number;
  /** Backoff growth factor. Default 2. */
  factor: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  deadlineMs: 60_000,
  initialDelayMs: 250,
  maxDelayMs: 5_000,
  factor: 2,
};

export type RpcEvent = {
  type: 'retry';
  label: string;
  method: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  /** Wait before the next attempt. */
  delayMs: number;
  kind: RpcErrorKind;
  code: number | undefined;
  /** Redacted reason, e.g. the -28 status text. */
  message: string;
};

export interface RpcClientOptions {
  /** `http://host:port/`; credentials in the URL are taken out and used as user/password. */
  url?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  /** Shown in errors and events (e.g. the chain name). Default `host:port`. */
  label?: string;
  /** Per-call timeout. Default 30 s. */
  timeoutMs?: number;
  /** Retry policy; false = never retry. */
  retry?: Partial<RetryPolicy> | false;
  onEvent?: (e: RpcEvent) => void;
  /**
   * Keep-alive connections to this endpoint. Default 4. With 1 the client drives a single undici
   * `Client` (no pool): what a fan-out wants for the one or two calls it makes per chain.
   */
  connections?: number;
  /** Reply size and depth limits. Default DEFAULT_REPLY_LIMITS. */
  limits?: Partial<ReplyLimits>;
  /**
   * A shared dispatcher (e.g. one undici Agent for a fan-out over a thousand chains) instead of a
   * pool of this client's own; `close()` then leaves it open.
   */
  dispatcher?: Dispatcher;
  /**
   * Connect to this Unix socket instead of host:port (a port of another host forwarded over SSH,
   * remote/shell.ts). host:port still name the endpoint in the request and in messages.
   */
  socketPath?: string;
}

export interface CallOptions {
  timeoutMs?: number;
  retry?: Partial<RetryPolicy> | false;
}

export type BatchItem = { method: string; params?: readonly unknown[] };
export type BatchResult = { ok: true; result: unknown } | { ok: false; error: RpcError };

const TRANSPORT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

function errCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string' && TRANSPORT_CODES.has(c)) return c;
    cur = (cur as { cause?: unknown }).cause;
  }
  const c = (e as { code?: unknown })?.code;
  return typeof c === 'string' ? c : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RpcClient {
  readonly label: string;
  readonly origin: string;
  private readonly auth: string | undefined;
  private readonly pool: Dispatcher;
  private readonly ownsPool: boolean;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy | false;
  private readonly onEvent: ((e: RpcEvent) => void) | undefined;
  private readonly limits: ReplyLimits;
  private readonly headers: Record<string, string>;
  private nextId = 1;

  constructor(opts: RpcClientOptions) {
    let host = opts.host ?? '127.0.0.1';
    let port = opts.port;
    let user = opts.user;
    let password = opts.password;
    if (opts.url !== undefined) {
      const u = new URL(opts.url);
      host = u.hostname;
      port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
      if (u.username) user ??= decodeURIComponent(u.username);
      if (u.password) password ??= decodeURIComponent(u.password);
    }
    if (port === undefined) throw new DokomodoError('rpc-no-port', 'an RPC endpoint needs a port');
    registerSecret(password);
    const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    this.origin = `http://${hostPart}:${port}`;
    this.label = opts.label ?? `${host}:${port}`;
    this.auth =
      user !== undefined ? `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}` : undefined;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retry = opts.retry === false ? false : { ...DEFAULT_RETRY, ...opts.retry };
    this.onEvent = opts.onEvent;
    this.ownsPool = opts.dispatcher === undefined;
    this.limits = { ...DEFAULT_REPLY_LIMITS, ...opts.limits };
    const connections = opts.connections ?? 4;
    this.pool =
      opts.dispatcher ??
      (connections === 1
        ? new UndiciClient(this.origin, {
            keepAliveTimeout: 20_000,
            keepAliveMaxTimeout: 25_000,
            connect:
              opts.socketPath === undefined
                ? singleConnector(this.timeoutMs)
                : buildConnector({ keepAlive: false, timeout: this.timeoutMs, socketPath: opts.socketPath }),
          })
        : new UndiciPool(this.origin, {
            connections,
            pipelining: 1,
            keepAliveTimeout: 20_000,
            keepAliveMaxTimeout: 25_000,
            ...(opts.socketPath === undefined ? {} : { socketPath: opts.socketPath }),
          }));
    this.headers = { 'content-type': 'application/json' };
    if (this.auth) this.headers['authorization'] = this.auth;
  }

  /** Calls `method`; resolves with `result`, rejects with RpcError after the retry policy. */
  async call<T = unknown>(
    method: string,
    params: readonly unknown[] = [],
    opts: CallOptions = {},
  ): Promise<T> {
    return (await this.withRetry(method, opts, async (timeoutMs) => {
      const reply = await this.post(
        JSON.stringify({ jsonrpc: '1.0', id: this.nextId++, method, params }),
        method,
        timeoutMs,
      );
      return this.single(reply, method);
    })) as T;
  }

  /**
   * Sends several calls in one HTTP request (komodod answers 200 with one reply per call).
   * Transport/auth failures reject the whole batch; per-call errors come back as values. A batch
   * in which every call got -28 is retried as a whole (none of them ran).
   */
  async batch(items: readonly BatchItem[], opts: CallOptions = {}): Promise<BatchResult[]> {
    if (items.length === 0) return [];
    const label = `batch(${items.length})`;
    return this.withRetry(label, opts, async (timeoutMs) => {
      const base = this.nextId;
      this.nextId += items.length;
      const body = JSON.stringify(
        items.map((it, i) => ({ jsonrpc: '1.0', id: base + i, method: it.method, params: it.params ?? [] })),
      );
      const reply = await this.post(body, label, timeoutMs);
      if (!Array.isArray(reply.json)) {
        if (reply.json && typeof reply.json === 'object') this.single(reply, label);
        throw new RpcError('http', `${this.label}: ${label}: HTTP ${reply.status} without a batch reply`, {
          label: this.label,
          method: label,
          httpStatus: reply.status,
        });
      }
      const byId = new Map<unknown, Record<string, unknown>>();
      for (const r of reply.json as Record<string, unknown>[])
        if (r && typeof r === 'object') byId.set(r['id'], r);
      const results: BatchResult[] = items.map((it, i) => {
        const r = byId.get(base + i);
        if (!r) {
          return {
            ok: false,
            error: new RpcError('rpc', `${this.label}: ${it.method}: no reply in batch`, {
              label: this.label,
              method: it.method,
            }),
          };
        }
        const err = r['error'] as { code?: number; message?: string } | null | undefined;
        if (err) return { ok: false, error: this.rpcFailure(it.method, err, reply.status) };
        return { ok: true, result: r['result'] ?? null };
      });
      const calls = results.filter((_, i) => items[i]!.method !== 'help');
      if (calls.length > 0 && calls.every((r) => !r.ok && r.error.kind === 'warmup'))
        throw (calls[0] as { error: RpcError }).error;
      return results;
    });
  }

  /**
   * Closes the keep-alive connections. A pool finishes the calls under way first; a single
   * connection (`connections: 1`, a fan-out's) is dropped at once, since every call a fan-out
   * waits for has settled by then (timed-out ones included).
   */
  async close(): Promise<void> {
    if (!this.ownsPool) return;
    // One error for every close: undici otherwise builds an Error, stack and all, per socket.
    if (this.pool instanceof UndiciClient) await this.pool.destroy(CLOSED);
    else await this.pool.close();
  }

  private rpcFailure(method: string, err: { code?: number; message?: string }, status: number): RpcError {
    const code = typeof err.code === 'number' ? err.code : undefined;
    const msg = typeof err.message === 'string' ? err.message : 'error';
    return new RpcError(
      code === -28 ? 'warmup' : 'rpc',
      `${this.label}: ${method}: ${msg}${code !== undefined ? ` (${code})` : ''}`,
      {
        label: this.label,
        method,
        ...(code !== undefined ? { code } : {}),
        httpStatus: status,
      },
    );
  }

  private single(reply: { status: number; json: unknown; text: string }, method: string): unknown {
    const j = reply.json;
    if (j && typeof j === 'object' && !Array.isArray(j) && ('result' in j || 'error' in j)) {
      const o = j as { result?: unknown; error?: { code?: number; message?: string } | null };
      if (o.error) throw this.rpcFailure(method, o.error, reply.status);
      return o.result ?? null;
    }
    const snippet = reply.text.trim().slice(0, 120);
    throw new RpcError(
      'http',
      `${this.label}: ${method}: HTTP ${reply.status}${snippet ? `: ${snippet}` : ''}`,
      {
        label: this.label,
        method,
        httpStatus: reply.status,
      },
    );
  }

  private post(
    body: string,
    method: string,
    timeoutMs: number,
  ): Promise<{ status: number; json: unknown; text: string }> {
    return new Promise((resolve, reject) => {
      const handler = new ReplyHandler(this.limits, (e, reply) => {
        if (e === undefined && reply !== undefined) {
          try {
            resolve(this.decode(reply, method));
          } catch (err) {
            reject(err);
          }
          return;
        }
        reject(this.failure(e, method, timeoutMs));
      });
      handler.deadline = deadlines(timeoutMs).add(handler);
      this.pool.dispatch(
        // undici's own header and body timers off: the deadline above bounds the whole call
        {
          origin: this.origin,
          path: '/',
          method: 'POST',
          headers: this.headers,
          body,
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        handler,
      );
    });
  }

  private decode(
    reply: { status: number; text: string },
    method: string,
  ): { status: number; json: unknown; text: string } {
    const { status, text } = reply;
    if (status === 401 || status === 403) {
      throw new RpcError(
        'auth',
        status === 401
          ? `${this.label}: ${method}: authentication failed (HTTP 401): check rpcuser/rpcpassword`
          : `${this.label}: ${method}: this address is not allowed (HTTP 403): check rpcallowip`,
        { label: this.label, method, httpStatus: status },
      );
    }
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status, json, text };
  }

  private failure(e: unknown, method: string, timeoutMs: number): RpcError {
    if (e instanceof RpcError) return e;
    if (e === TIMED_OUT) {
      return new RpcError('timeout', `${this.label}: ${method}: no reply within ${timeoutMs} ms`, {
        label: this.label,
        method,
      });
    }
    if (e instanceof ReplyLimitError) {
      return new RpcError('bad-reply', `${this.label}: ${method}: ${e.message}`, {
        label: this.label,
        method,
        ...(e.httpStatus ? { httpStatus: e.httpStatus } : {}),
      });
    }
    const code = errCode(e);
    const what =
      code === 'ECONNREFUSED'
        ? 'connection refused (is the daemon running?)'
        : code === 'UND_ERR_SOCKET'
          ? 'the connection was closed without a reply'
          : // A peer that closes with the request unread resets the connection (a race with a clean close).
            code === 'ECONNRESET' || code === 'EPIPE'
            ? `the connection was closed without a reply (${code})`
            : code?.startsWith('HPE_') || (e as Error)?.name === 'HTTPParserError'
              ? `the reply is not HTTP${code ? ` (${code})` : ''}`
              : (code ?? (e as Error).message);
    return new RpcError('transport', `${this.label}: ${method}: ${what}`, {
      label: this.label,
      method,
      cause: e,
    });
  }

  private async withRetry<T>(
    method: string,
    opts: CallOptions,
    attempt: (timeoutMs: number) => Promise<T>,
  ): Promise<T> {
    const policy =
      opts.retry === false
        ? false
        : opts.retry
          ? { ...(this.retry || DEFAULT_RETRY), ...opts.retry }
          : this.retry;
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const started = Date.now();
    for (let n = 1; ; n++) {
      try {
        return await attempt(timeoutMs);
      } catch (e) {
        if (!(e instanceof RpcError)) throw e;
        e.attempts = n;
        if (!policy || !isRetriable(e)) throw e;
        const delay = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (n - 1));
        if (Date.now() + delay - started > policy.deadlineMs) {
          throw giveUp(e, n, Date.now() - started);
        }
        this.onEvent?.({
          type: 'retry',
          label: this.label,
          method,
          attempt: n,
          delayMs: delay,
          kind: e.kind,
          code: e.code,
          message: e.message,
        });
        await sleep(delay);
      }
    }
  }
}

const CLOSED = new Error('closed by its RpcClient');

const connectors = new Map<number, buildConnector.connector>();

/**
 * The connector of single-connection clients, built once per timeout rather than per client: a
 * connection that lives for a call or two needs no TCP keep-alive probes either.
 */
function singleConnector(timeoutMs: number): buildConnector.connector {
  let c = connectors.get(timeoutMs);
  if (c === undefined) {
    c = buildConnector({ keepAlive: false, timeout: timeoutMs });
    connectors.set(timeoutMs, c);
  }
  return c;
}

/** Thrown into a call that its deadline ended. */
const TIMED_OUT = Symbol('timed out');

class ReplyLimitError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
  }
}

interface Expiring {
  expire(): void;
}

/**
 * One timer for every call with the same timeout: such calls expire in the order they started,
 * so a FIFO and a timer for its head replace a timer and an AbortController per call.
 */
class Deadlines {
  private readonly queue: Array<{ at: number; target: Expiring | null }> = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ms: number) {}

  add(target: Expiring): { target: Expiring | null } {
    const entry = { at: performance.now() + this.ms, target };
    this.queue.push(entry);
    if (this.timer === undefined) this.arm(this.ms);
    return entry;
  }

  private arm(ms: number): void {
    // unref: a call under way keeps the process alive through its socket, a finished one must not
    // clamped: Node fires a timer beyond 2^31-1 ms (or NaN) after 1 ms
    const delay = Number.isFinite(ms) ? Math.min(2 ** 31 - 1, Math.max(1, Math.ceil(ms))) : 2 ** 31 - 1;
    this.timer = setTimeout(this.fire, delay);
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = performance.now();
    const q = this.queue;
    while (this.head < q.length) {
      const e = q[this.head]!;
      if (e.target !== null && e.at > now) break;
      this.head++;
      const t = e.target;
      e.target = null;
      t?.expire();
    }
    if (this.head > 1024 && this.head * 2 > q.length) {
      q.splice(0, this.head);
      this.head = 0;
    }
    if (this.head < q.length) this.arm(q[this.head]!.at - now);
    else {
      q.length = 0;
      this.head = 0;
    }
  };
}

const deadlineByMs = new Map<number, Deadlines>();

function deadlines(ms: number): Deadlines {
  let d = deadlineByMs.get(ms);
  if (d === undefined) {
    d = new Deadlines(ms);
    deadlineByMs.set(ms, d);
  }
  return d;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** How often `byte` occurs in `chunk` (memchr-speed through indexOf). */
function countByte(chunk: Buffer, byte: number): number {
  let n = 0;
  for (let i = chunk.indexOf(byte); i >= 0; i = chunk.indexOf(byte, i + 1)) n++;
  return n;
}

/**
 * undici's lowest handler interface: the body arrives as buffers, counted and scanned for nesting
 * as it comes (a byte scan: brackets and quotes are ASCII, never inside a UTF-8 sequence), so a
 * reply over a limit is dropped before it is read whole or parsed.
 */
class ReplyHandler implements Expiring {
  deadline: { target: Expiring | null } | undefined;
  private status = 0;
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Opening brackets seen, while the exact scan is not needed; then `exact`. */
  private bound = 0;
  private exact = false;
  private abort: ((err: Error) => void) | undefined;
  private done = false;

  constructor(
    private readonly limits: ReplyLimits,
    private readonly settle: (e: unknown, reply?: { status: number; text: string }) => void,
  ) {}

  private finish(e: unknown, reply?: { status: number; text: string }): void {
    if (this.done) return;
    this.done = true;
    if (this.deadline) this.deadline.target = null;
    this.settle(e, reply);
  }

  expire(): void {
    if (this.done) return;
    this.finish(TIMED_OUT);
    // Not yet on a socket (still connecting): onConnect aborts it when it gets there.
    this.abort?.(new Error('timed out'));
  }

  onConnect(abort: (err: Error) => void): void {
    if (this.done) abort(new Error('timed out'));
    else this.abort = abort;
  }

  onHeaders(status: number): boolean {
    this.status = status;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return false;
    this.bytes += chunk.length;
    if (this.bytes > this.limits.maxBytes) {
      return this.refuse(`the reply is larger than ${this.limits.maxBytes} bytes`);
    }
    if (!this.exact) {
      // Every opening bracket so far, in strings or not, bounds the depth from above: while that
      // bound is within the limit (a getinfo has a handful), no byte needs looking at. Past it,
      // the reply is scanned exactly from its first byte on.
      this.bound += countByte(chunk, 0x7b) + countByte(chunk, 0x5b);
      if (this.bound > this.limits.maxDepth) {
        this.exact = true;
        for (const c of this.chunks) if (!this.scan(c)) return false;
      }
    }
    if (this.exact && !this.scan(chunk)) return false;
    this.chunks.push(chunk);
    return true;
  }

  /** Follows the nesting through `chunk`; refuses the reply once it is deeper than the limit. */
  private scan(chunk: Buffer): boolean {
    let { depth, inString, escaped } = this;
    const max = this.limits.maxDepth;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
      } else if (b === QUOTE) inString = true;
      else if (b === 0x5b || b === 0x7b) {
        if (++depth > max) return this.refuse(`the reply nests deeper than ${max} levels`);
      } else if (b === 0x5d || b === 0x7d) depth--;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return true;
  }

  private refuse(why: string): false {
    const e = new ReplyLimitError(why, this.status);
    this.finish(e);
    this.abort?.(e);
    return false;
  }

  onComplete(): void {
    const c = this.chunks;
    const text = c.length === 1 ? c[0]!.toString('utf8') : Buffer.concat(c).toString('utf8');
    this.finish(undefined, { status: this.status, text });
  }

  onError(err: Error): void {
    this.finish(err);
  }
}

function isRetriable(e: RpcError): boolean {
  if (e.kind === 'transport') {
    const c = errCode(e.cause);
    return c === undefined || TRANSPORT_CODES.has(c);
  }
  return e.kind === 'warmup' || (e.kind === 'http' && (e.httpStatus ?? 0) >= 500);
}

function giveUp(e: RpcError, attempts: number, elapsedMs: number): RpcError {
  const out = new RpcError(
    e.kind,
    `${e.message} (gave up after ${attempts} attempts in ${(elapsedMs / 1000).toFixed(1)} s)`,
    {
      label: e.label,
      method: e.method,
      ...(e.code !== undefined ? { code: e.code } : {}),
      ...(e.httpStatus !== undefined ? { httpStatus: e.httpStatus } : {}),
      cause: e.cause,
    },
  );
  out.attempts = attempts;
  return out;
}

/**
 * A client for a daemon from its conf text, read with komodod's own reader (rpcuser,
 * rpcpassword, rpcport). `port` overrides the conf; `defaultPort` is used when the conf has none
 * (komodod itself would then bind 7771 — pass what you know).
 */
export function rpcClientFromConf(
  confText: string,
  opts: Omit<RpcClientOptions, 'user' | 'password' | 'url'> & { defaultPort?: number } = {},
): RpcClient {
  const up = komodoUserPass(confText);
  if (up.user === undefined || up.password === undefined) {
    throw new DokomodoError('rpc-conf-no-credentials', 'the conf file has no rpcuser/rpcpassword lines', {
      hint: 'komodod then uses cookie authentication; pass user/password from <datadir>/.cookie',
    });
  }
  const port = opts.port ?? up.rpcport ?? opts.defaultPort;
  if (port === undefined)
    throw new DokomodoError('rpc-no-port', 'the conf file has no rpcport line and no default port was given');
  const { defaultPort: _d, ...rest } = opts;
  return new RpcClient({ ...rest, port, user: up.user, password: up.password });
}
