/**
 * komodod's HTTP JSON-RPC transport, simulated on node:http (reference §13.1–13.4):
 * 403 for peers outside rpcallowip (checked first), 405 for anything but POST, 401 with
 * `WWW-Authenticate` and an empty body (after 250 ms on wrong credentials), JSON-RPC 1.0-style
 * replies with HTTP 400/404/500 per error code, batches answered with 200 and an array, and
 * -28 for everything but `help` while "warming up".
 */
import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { stringifyRpc } from './amount.ts';
import type { Chain } from './chain.ts';
import { RPC, RpcFault } from './rpc-fault.ts';
import { dispatch } from './rpc-methods.ts';

/** komodod's start-up statuses in order (src/init.cpp); the long block-index load shows the second. */
export const WARMUP_STATUSES = [
  'RPC server started',
  'Verifying wallet...',
  'Rewinding blocks if needed...',
  'Verifying blocks...',
  'Loading wallet...',
  'Rescanning...',
  'Activating best chain...',
  'Loading addresses...',
] as const;

export interface RpcServerOptions {
  chain: Chain;
  /** rpcuser / rpcpassword from the chain's conf (or the cookie). */
  user: string;
  password: string;
  /** rpcallowip entries (IP, CIDR or IP/netmask); loopback is always allowed. */
  allowIps?: readonly string[];
  /**
   * komodod always admits 127.0.0.0/8 and ::1. Tests set false to see the 403 path from
   * loopback. Default true.
   */
  allowLoopback?: boolean;
  /** How long every method but `help` answers -28. Default 0. */
  warmupMs?: number;
  /** Called once a `stop` reply has been written. */
  onStop?: () => void;
  log?: (line: string) => void;
}

type Json = unknown;

const JSON_HEADERS = { 'Content-Type': 'application/json' };

export class ChainRpcServer {
  readonly chain: Chain;
  readonly server: http.Server;
  private readonly expectedAuth: Buffer;
  private lastGoodHeader = '';
  private readonly allow: ((ip: string) => boolean)[];
  private readonly allowLoopback: boolean;
  private readonly startedAt = Date.now();
  private readonly warmupMs: number;
  private stopping = false;
  private readonly onStop: () => void;
  private readonly log: (line: string) => void;

  constructor(opts: RpcServerOptions) {
    this.chain = opts.chain;
    this.expectedAuth = Buffer.from(`${opts.user}:${opts.password}`);
    this.allow = (opts.allowIps ?? []).map(ipMatcher);
    this.allowLoopback = opts.allowLoopback ?? true;
    this.warmupMs = opts.warmupMs ?? 0;
    this.onStop = opts.onStop ?? (() => {});
    this.log = opts.log ?? (() => {});
    this.server = http.createServer((req, res) => this.handle(req, res));
    // komodod's -rpcservertimeout default: idle keep-alive connections live 30 s.
    this.server.keepAliveTimeout = 30_000;
    this.server.headersTimeout = 60_000;
  }

  /** Binds; resolves with the bound port, rejects with the listen error (EADDRINUSE …). */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  /** The -28 status text while warming up, undefined once ready. */
  warmupStatus(): string | undefined {
    const elapsed = Date.now() - this.startedAt;
    if (elapsed >= this.warmupMs) return undefined;
    const f = elapsed / this.warmupMs;
    if (f < 0.05) return WARMUP_STATUSES[0];
    if (f < 0.75) return WARMUP_STATUSES[1];
    const rest = WARMUP_STATUSES.length - 2;
    return WARMUP_STATUSES[2 + Math.min(rest - 1, Math.floor(((f - 0.75) / 0.25) * rest))];
  }

  get ready(): boolean {
    return this.warmupStatus() === undefined;
  }

  /** Stops accepting, drops idle keep-alive connections, resolves when the socket is closed. */
  close(): Promise<void> {
    this.stopping = true;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      setTimeout(() => this.server.closeAllConnections(), 200).unref();
    });
  }

  private allowed(ip: string | undefined): boolean {
    if (!ip) return false;
    const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    if (this.allowLoopback && (v4 === '::1' || v4.startsWith('127.'))) return true;
    return this.allow.some((m) => m(v4));
  }

  private checkAuth(header: string): boolean {
    if (header === this.lastGoodHeader) return true;
    const given = Buffer.from(header.slice(6).trim(), 'base64');
    const ok = given.length === this.expectedAuth.length && timingSafeEqual(given, this.expectedAuth);
    if (ok) this.lastGoodHeader = header;
    return ok;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!this.allowed(req.socket.remoteAddress)) {
      res.writeHead(403, { 'Content-Length': 0 }).end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { 'Content-Type': 'text/plain' }).end('JSONRPC server handles only POST requests');
      return;
    }
    if (this.stopping) {
      res.writeHead(503, { 'Content-Length': 0 }).end();
      return;
    }
    const auth = req.headers.authorization;
    if (auth === undefined || !auth.startsWith('Basic ')) {
      unauthorized(res);
      return;
    }
    if (!this.checkAuth(auth)) {
      this.log(`ThreadRPCServer incorrect password attempt from ${req.socket.remoteAddress}`);
      req.resume();
      setTimeout(() => unauthorized(res), 250);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
      const { status, text, stop } = this.process(body);
      // komodod (libevent) sends a Content-Length, never chunked encoding, which Node would use.
      res.writeHead(status, { ...JSON_HEADERS, 'Content-Length': Buffer.byteLength(text) }).end(text);
      if (stop && !this.stopping) {
        this.stopping = true;
        res.on('finish', () => setImmediate(this.onStop));
      }
    });
  }

  /** One HTTP body → HTTP status and reply text (exposed for in-process tests). */
  process(body: string): { status: number; text: string; stop: boolean } {
    let parsed: Json;
    try {
      parsed = JSON.parse(body);
    } catch {
      return { status: 500, text: errorReply(null, RPC.PARSE_ERROR, 'Parse error'), stop: false };
    }
    if (Array.isArray(parsed)) {
      let stop = false;
      const parts = parsed.map((item) => {
        const r = this.one(item);
        stop ||= r.stop;
        return r.text;
      });
      return { status: 200, text: `[${parts.join(',')}]\n`, stop };
    }
    if (typeof parsed !== 'object' || parsed === null) {
      return {
        status: 500,
        text: errorReply(null, RPC.PARSE_ERROR, 'Top-level object parse error'),
        stop: false,
      };
    }
    const r = this.one(parsed);
    return { status: r.code === 0 ? 200 : httpStatusFor(r.code), text: `${r.text}\n`, stop: r.stop };
  }

  private one(item: Json): { text: string; code: number; stop: boolean } {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return {
        text: errorBody(null, RPC.INVALID_REQUEST, 'Invalid Request object'),
        code: RPC.INVALID_REQUEST,
        stop: false,
      };
    }
    const req = item as Record<string, Json>;
    const id = req['id'] === undefined ? null : req['id'];
    const method = req['method'];
    if (method === undefined)
      return {
        text: errorBody(id, RPC.INVALID_REQUEST, 'Missing method'),
        code: RPC.INVALID_REQUEST,
        stop: false,
      };
    if (typeof method !== 'string') {
      return {
        text: errorBody(id, RPC.INVALID_REQUEST, 'Method must be a string'),
        code: RPC.INVALID_REQUEST,
        stop: false,
      };
    }
    const rawParams = req['params'];
    let params: readonly Json[];
    if (rawParams === undefined || rawParams === null) params = [];
    else if (Array.isArray(rawParams)) params = rawParams;
    else
      return {
        text: errorBody(id, RPC.INVALID_REQUEST, 'Params must be an array'),
        code: RPC.INVALID_REQUEST,
        stop: false,
      };
    if (method !== 'help') {
      const status = this.warmupStatus();
      if (status !== undefined)
        return { text: errorBody(id, RPC.IN_WARMUP, status), code: RPC.IN_WARMUP, stop: false };
    }
    let stop = false;
    try {
      const result = dispatch(method, params, { chain: this.chain, requestStop: () => (stop = true) });
      return {
        text: stringifyRpc({ result: result === undefined ? null : result, error: null, id }),
        code: 0,
        stop,
      };
    } catch (e) {
      const f = e instanceof RpcFault ? e : new RpcFault(RPC.MISC_ERROR, String(e));
      return { text: errorBody(id, f.code, f.message), code: f.code, stop: false };
    }
  }
}

function unauthorized(res: http.ServerResponse): void {
  res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="jsonrpc"', 'Content-Length': 0 }).end();
}

function errorBody(id: Json, code: number, message: string): string {
  return JSON.stringify({ result: null, error: { code, message }, id });
}

function errorReply(id: Json, code: number, message: string): string {
  return `${errorBody(id, code, message)}\n`;
}

/** src/httprpc.cpp JSONErrorReply: 400 for invalid request, 404 for unknown method, else 500. */
export function httpStatusFor(code: number): number {
  if (code === RPC.INVALID_REQUEST) return 400;
  if (code === RPC.METHOD_NOT_FOUND) return 404;
  return 500;
}

/** An rpcallowip entry: a single IPv4/IPv6 address, IPv4 CIDR (`10.0.0.0/8`) or IPv4/netmask. */
export function ipMatcher(entry: string): (ip: string) => boolean {
  const [addr, mask] = entry.trim().split('/', 2) as [string, string | undefined];
  const base = ipv4ToInt(addr);
  if (base === undefined) return (ip) => ip === addr;
  let m = 0xffffffff;
  if (mask !== undefined) {
    const asIp = ipv4ToInt(mask);
    if (asIp !== undefined) m = asIp;
    else {
      const bits = Number(mask);
      m = bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
    }
  }
  return (ip) => {
    const v = ipv4ToInt(ip);
    return v !== undefined && (v & m) >>> 0 === (base & m) >>> 0;
  };
}

function ipv4ToInt(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n >>> 0;
}
