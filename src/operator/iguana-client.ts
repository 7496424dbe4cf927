/**
 * Client for Iguana's HTTP API. Iguana's reply headers (`Cache-Control :`, `Content-Length : %8d`)
 * are rejected by Node's HTTP parser and by fetch, and Iguana finds the request body only through a
 * header spelled exactly `Content-Length: ` (reference iguana-dpow-rpc.md §2), so this client
 * speaks over a raw TCP socket: one request written in one go, no Origin/Referer, read until the
 * server closes, the text after the first blank line parsed as JSON (or kept as a bare string).
 *
 * Iguana serves one request at a time and some calls take minutes, so each client keeps at most one
 * call in flight (a queue) and uses generous timeouts. `{"error": …}` replies become IguanaError
 * (kind 'iguana') in `call`; `request` returns every reply as is. Passphrases are registered as
 * secrets and never appear in errors.
 */
import net from 'node:net';
import { redact, registerSecret } from '../core/redact.ts';

export type IguanaErrorKind = 'transport' | 'timeout' | 'empty' | 'protocol' | 'iguana';

export class IguanaError extends Error {
  readonly kind: IguanaErrorKind;
  readonly label: string;
  /** Iguana's own error text for kind 'iguana' (`{"error": "<this>"}`). */
  readonly iguanaError: string | undefined;
  /** The whole reply for kind 'iguana'. */
  readonly reply: unknown;

  constructor(
    kind: IguanaErrorKind,
    label: string,
    message: string,
    opts: { iguanaError?: string; reply?: unknown; cause?: unknown } = {},
  ) {
    super(redact(message), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'IguanaError';
    this.kind = kind;
    this.label = label;
    this.iguanaError = opts.iguanaError;
    this.reply = opts.reply;
  }
}

export interface IguanaClientOptions {
  /** Iguana's RPC port: 7776 main, 7779 third party. */
  port: number;
  host?: string;
  /** Shown in errors. Default `iguana@host:port`. */
  label?: string;
  /** Per-call timeout. Default 300 s: walletpassphrase and dpow wait on slow daemons. */
  timeoutMs?: number;
  /** TCP connect timeout. Default 5 s. */
  connectTimeoutMs?: number;
  /** Connect to this Unix socket (a forwarded port of another host) instead of host:port. */
  socketPath?: string;
}

export interface CallOpts {
  timeoutMs?: number;
}

type Obj = Record<string, unknown>;

/** A reply that is Iguana's failure shape `{"error": "..."}`. */
export function iguanaErrorOf(reply: unknown): string | undefined {
  if (reply && typeof reply === 'object' && !Array.isArray(reply)) {
    const e = (reply as Obj)['error'];
    if (e !== undefined && e !== null) return typeof e === 'string' ? e : JSON.stringify(e);
  }
  return undefined;
}

export class IguanaClient {
  readonly host: string;
  readonly port: number;
  readonly label: string;
  /** A Unix socket to connect to instead of host:port (a forwarded port of another host). */
  readonly socketPath: string | undefined;
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(opts: IguanaClientOptions) {
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port;
    this.label = opts.label ?? `iguana@${this.host}:${this.port}`;
    this.socketPath = opts.socketPath;
    this.timeoutMs = opts.timeoutMs ?? 300_000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
  }

  /**
   * Sends one request (object, or array for a batch) and returns the reply as Iguana sent it:
   * parsed JSON, or the bare string. Queued behind any call still in flight.
   */
  request(req: Obj | Obj[], opts: CallOpts = {}): Promise<unknown> {
    const run = () => this.send(JSON.stringify(req), opts.timeoutMs ?? this.timeoutMs);
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => undefined);
    return p;
  }

  /** Like request, but an `{"error": …}` reply rejects with IguanaError kind 'iguana'. */
  async call<T = Obj>(req: Obj, opts: CallOpts = {}): Promise<T> {
    const reply = await this.request(req, opts);
    const err = iguanaErrorOf(reply);
    if (err !== undefined) {
      const what =
        typeof req['agent'] === 'string' ? `${req['agent']}.${String(req['method'])}` : String(req['method']);
      throw new IguanaError('iguana', this.label, `${this.label}: ${what}: ${err}`, {
        iguanaError: err,
        reply,
      });
    }
    return reply as T;
  }

  // ---- the notary calls (reference §3–§8) ---------------------------------------------------

  myipaddr(ipaddr: string): Promise<Obj> {
    return this.call({ agent: 'SuperNET', method: 'myipaddr', ipaddr });
  }

  /** Refuses an empty address: Iguana crashes on addnotary without one. */
  addnotary(ipaddr: string): Promise<Obj> {
    if (!ipaddr)
      return Promise.reject(
        new IguanaError(
          'protocol',
          this.label,
          `${this.label}: addnotary needs an address (Iguana crashes without one)`,
        ),
      );
    return this.call({ agent: 'iguana', method: 'addnotary', ipaddr });
  }

  /** `payload` is the coin definition (newcoin, conf, path, …); agent/method are added. */
  addcoin(payload: Obj): Promise<Obj> {
    return this.call({ ...payload, agent: 'iguana', method: 'addcoin' });
  }

  /** Unlocks Iguana's wallet. The passphrase is registered as a secret before anything is sent. */
  walletpassphrase(passphrase: string, timeoutSeconds = 9_999_999, opts: CallOpts = {}): Promise<Obj> {
    registerSecret(passphrase);
    return this.call({ method: 'walletpassphrase', params: [passphrase, timeoutSeconds] }, opts);
  }

  dpow(
    symbol: string,
    pubkey: string,
    extra: { dest?: string; freq?: number } = {},
    opts: CallOpts = {},
  ): Promise<Obj> {
    return this.call({ agent: 'iguana', method: 'dpow', symbol, pubkey, ...extra }, opts);
  }

  splitfunds(
    args: { coin: string; satoshis: number; duplicates: number; sendflag?: number },
    opts: CallOpts = {},
  ): Promise<{
    result: string;
    txid: string;
    completed: boolean;
  }> {
    return this.call({ agent: 'iguana', method: 'splitfunds', sendflag: 1, ...args }, opts);
  }

  /**
   * Side-effect free: the identity, one address per coin added, `status` and the real seconds left
   * on the unlock (`duration`). There is deliberately no `dpow active` here: once a notarization
   * round has completed it crashes the real Iguana (use-after-free in dpow_recvmasks).
   */
  activehandle(): Promise<Obj> {
    return this.call({ agent: 'SuperNET', method: 'activehandle' });
  }

  ipaddrs(): Promise<string[]> {
    return this.call({ agent: 'dpow', method: 'ipaddrs' });
  }

  notarychains(): Promise<string[]> {
    return this.call({ agent: 'dpow', method: 'notarychains' });
  }

  notarizations(symbol: string, height: number, numblocks: number, opts: CallOpts = {}): Promise<Obj> {
    return this.call({ agent: 'dpow', method: 'notarizations', symbol, height, numblocks }, opts);
  }

  help(): Promise<Obj> {
    return this.call({ agent: 'SuperNET', method: 'help' });
  }

  /** Asks Iguana to exit. It closes the connection without a reply, so an empty reply is success. */
  async stop(): Promise<void> {
    try {
      await this.request({ agent: 'SuperNET', method: 'stop' });
    } catch (e) {
      if (!(e instanceof IguanaError && e.kind === 'empty')) throw e;
    }
  }

  // ---- wire ---------------------------------------------------------------------------------

  private send(body: string, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let settled = false;
      let connected = false;
      const fail = (kind: IguanaErrorKind, msg: string, cause?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock.destroy();
        reject(
          new IguanaError(kind, this.label, `${this.label}: ${msg}`, cause === undefined ? {} : { cause }),
        );
      };
      const sock =
        this.socketPath === undefined ? net.connect(this.port, this.host) : net.connect(this.socketPath);
      const timer = setTimeout(
        () =>
          fail(
            'timeout',
            connected
              ? `no reply within ${timeoutMs} ms`
              : `could not connect within ${this.connectTimeoutMs} ms`,
          ),
        timeoutMs,
      );
      const connectTimer = setTimeout(() => {
        if (!connected) fail('timeout', `could not connect within ${this.connectTimeoutMs} ms`);
      }, this.connectTimeoutMs);
      sock.on('connect', () => {
        connected = true;
        clearTimeout(connectTimer);
        // One write: request line, headers with the exact `Content-Length: ` spelling, body.
        sock.write(
          `POST / HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      });
      sock.on('data', (c: Buffer) => chunks.push(c));
      sock.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(connectTimer);
        const what =
          e.code === 'ECONNREFUSED' ? 'connection refused (is Iguana running?)' : (e.code ?? e.message);
        fail('transport', what, e);
      });
      sock.on('close', () => {
        clearTimeout(connectTimer);
        if (settled) return;
        const raw = Buffer.concat(chunks).toString('utf8');
        if (raw.length === 0) {
          fail('empty', 'Iguana closed the connection without a reply (crashed or exiting?)');
          return;
        }
        if (!raw.startsWith('HTTP/1.')) {
          fail('protocol', 'the reply is not HTTP');
          return;
        }
        settled = true;
        clearTimeout(timer);
        const i = raw.indexOf('\r\n\r\n');
        const payload = (i >= 0 ? raw.slice(i + 4) : '').trim();
        try {
          resolve(JSON.parse(payload));
        } catch {
          resolve(payload);
        }
      });
    });
  }
}
