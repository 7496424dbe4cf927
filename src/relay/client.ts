/**
 * `RelayIguanaClient`: an IguanaClient whose requests go through a relay's gateway instead of a
 * raw socket to 127.0.0.1 — HTTPS to the relay, the relay certificate checked against a pinned
 * sha256 fingerprint before a byte of the request (and its bearer token) is sent, a fresh nonce
 * and timestamp on every call. Everything above `request` (the notary calls, `call`'s error
 * mapping) is IguanaClient's own, so the use cases take either.
 *
 * Failures keep IguanaClient's kinds: the relay unreachable is `transport`, the relay gone
 * mid-call `empty` (the call may or may not have reached Iguana: run the command again, the
 * bootstrap is resumable), a refusal by the relay `protocol` with the relay's reason.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import tls from 'node:tls';
import { registerSecret } from '../core/redact.ts';
import { type CallOpts, IguanaClient, IguanaError } from '../operator/iguana-client.ts';
import { IGUANA_PATH, NONCE_HEADER, TIME_HEADER } from './wire.ts';

export interface RelayClientOptions {
  /** `https://host:port` of the relay's gateway. */
  url: string;
  /** The bearer token; or leave it out and give `clientCert`. */
  token?: string;
  /** The relay certificate's sha256 fingerprint (`AA:BB:…`). */
  pin: string;
  label?: string;
  timeoutMs?: number;
  connectTimeoutMs?: number;
  /** Without a token: a client certificate of the relay CA (its entry names the certificate). */
  clientCert?: { cert: string; key: string };
  /** The Iguana instance on the relay's host; needed when it serves several. */
  instance?: string;
  /** Largest reply accepted. Default 32 MiB. */
  maxReplyBytes?: number;
}

type Obj = Record<string, unknown>;

export class RelayIguanaClient extends IguanaClient {
  readonly url: URL;
  private readonly token: string | undefined;
  private readonly clientCert: { cert: string; key: string } | undefined;
  private readonly pin: string;
  private readonly relayTimeoutMs: number;
  private readonly relayConnectTimeoutMs: number;
  private readonly maxReplyBytes: number;
  private relayTail: Promise<unknown> = Promise.resolve();
  private readonly path: string;

  constructor(opts: RelayClientOptions) {
    const url = new URL(opts.url);
    const port = Number(url.port || 443);
    super({
      host: url.hostname,
      port,
      label: opts.label ?? `iguana via relay ${url.host}`,
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    });
    if (url.protocol !== 'https:') throw new TypeError(`relay URL must be https: ${opts.url}`);
    this.url = url;
    this.token = opts.token;
    this.clientCert = opts.clientCert;
    if (opts.token !== undefined) registerSecret(opts.token);
    this.pin = opts.pin;
    this.relayTimeoutMs = opts.timeoutMs ?? 300_000;
    this.relayConnectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
    this.maxReplyBytes = opts.maxReplyBytes ?? 32 * 1024 * 1024;
    this.path =
      opts.instance === undefined ? IGUANA_PATH : `${IGUANA_PATH}/${encodeURIComponent(opts.instance)}`;
  }

  override request(req: Obj | Obj[], opts: CallOpts = {}): Promise<unknown> {
    const run = () => this.post(JSON.stringify(req), opts.timeoutMs ?? this.relayTimeoutMs);
    const p = this.relayTail.then(run, run);
    this.relayTail = p.catch(() => undefined);
    return p;
  }

  private fail(kind: IguanaError['kind'], msg: string, cause?: unknown): IguanaError {
    return new IguanaError(kind, this.label, `${this.label}: ${msg}`, cause === undefined ? {} : { cause });
  }

  /** A TLS connection whose certificate is the pinned one; nothing is written before that check. */
  private connect(): Promise<tls.TLSSocket> {
    return new Promise((resolve, reject) => {
      const sock = tls.connect({
        host: this.url.hostname,
        port: this.port,
        // The chain is a private CA's: the pin below is the check, made before anything is sent.
        rejectUnauthorized: false,
        minVersion: 'TLSv1.3',
        ...(this.clientCert ?? {}),
        ...(this.url.hostname.match(/^[\d.]+$|:/) ? {} : { servername: this.url.hostname }),
      });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(
          this.fail('timeout', `could not connect to the relay within ${this.relayConnectTimeoutMs} ms`),
        );
      }, this.relayConnectTimeoutMs);
      sock.once('secureConnect', () => {
        clearTimeout(timer);
        const got = sock.getPeerCertificate().fingerprint256;
        if (got !== this.pin) {
          sock.destroy();
          reject(
            this.fail(
              'protocol',
              `the relay's certificate is not the pinned one (got ${got ?? 'none'}, pinned ${this.pin}): refusing to send the token`,
            ),
          );
          return;
        }
        resolve(sock);
      });
      sock.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const what =
          e.code === 'ECONNREFUSED' ? 'connection refused (is the relay running?)' : (e.code ?? e.message);
        reject(this.fail('transport', `relay ${this.url.host}: ${what}`, e));
      });
    });
  }

  private async post(body: string, timeoutMs: number): Promise<unknown> {
    const sock = await this.connect();
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        f();
      };
      const timer = setTimeout(() => {
        done(() => reject(this.fail('timeout', `no reply from the relay within ${timeoutMs} ms`)));
        req.destroy();
      }, timeoutMs);
      const req = http.request(
        {
          createConnection: () => sock,
          host: this.url.hostname,
          port: this.port,
          method: 'POST',
          path: this.path,
          headers: {
            ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }),
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            connection: 'close',
            [NONCE_HEADER]: randomBytes(18).toString('base64url'),
            [TIME_HEADER]: String(Date.now()),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let n = 0;
          res.on('data', (c: Buffer) => {
            n += c.length;
            if (n > this.maxReplyBytes) {
              done(() =>
                reject(this.fail('protocol', `the relay's reply is larger than ${this.maxReplyBytes} bytes`)),
              );
              req.destroy();
              return;
            }
            chunks.push(c);
          });
          res.on('aborted', () =>
            done(() =>
              reject(
                this.fail(
                  'empty',
                  'the relay closed the connection mid-reply: the call may or may not have reached Iguana',
                ),
              ),
            ),
          );
          res.on('error', () =>
            done(() =>
              reject(
                this.fail(
                  'empty',
                  'the relay closed the connection mid-reply: the call may or may not have reached Iguana',
                ),
              ),
            ),
          );
          res.on('end', () =>
            done(() => {
              let parsed: Obj;
              try {
                parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Obj;
              } catch {
                reject(this.fail('protocol', `the relay replied HTTP ${res.statusCode} without JSON`));
                return;
              }
              if (res.statusCode === 200 && 'reply' in parsed) {
                resolve(parsed['reply']);
                return;
              }
              const err = (parsed['error'] ?? {}) as { code?: string; kind?: string; message?: string };
              const code = err.code ?? `http-${res.statusCode}`;
              // Iguana's own trouble behind the relay keeps its kind (iguana up maps those).
              const kind =
                code === 'iguana-unreachable'
                  ? 'transport'
                  : code === 'iguana-empty'
                    ? 'empty'
                    : code === 'iguana-timeout'
                      ? 'timeout'
                      : 'protocol';
              reject(this.fail(kind, `relay refused: ${code}: ${err.message ?? ''}`.trimEnd()));
            }),
          );
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) =>
        done(() =>
          reject(
            this.fail(
              'empty',
              `the relay closed the connection (${e.code ?? e.message}) before replying: the call may or may not have reached Iguana`,
              e,
            ),
          ),
        ),
      );
      req.end(body);
    });
  }
}
