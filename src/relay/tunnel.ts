/**
 * Chain tunnels: chain RPC between hosts over mutual TLS, so Iguana (and anything else on the
 * Iguana host) talks to 127.0.0.1:RPCPORT as if the chain ran there, and no RPC port or password
 * crosses the network in the clear.
 *
 *   Iguana ──tcp──▶ 127.0.0.1:PORT (TunnelListener, Iguana host)
 *          ══mTLS══▶ relay of the chain's host (TunnelServer) ──tcp──▶ 127.0.0.1:rpcport
 *
 * Both ends present a certificate of the platform's relay CA (certs.ts); a peer without one is
 * refused in the handshake. After the handshake the listener sends one line, `DKT1 <port>\n`; the
 * server answers `OK\n` and pipes, or `NO <reason>\n` and closes when the port is not the RPC port
 * of a platform chain on its host. The bytes after that are the chain's own HTTP, untouched.
 */
import net from 'node:net';
import tls from 'node:tls';
import { DokomodoError } from '../core/errors.ts';
import type { TlsMaterial } from './certs.ts';

const PREFIX = 'DKT1 ';
const MAX_LINE = 64;

export interface TunnelCounters {
  accepted: number;
  refusedPort: number;
  refusedTls: number;
  upstreamFailed: number;
  active: number;
}

export interface TunnelServer {
  readonly host: string;
  readonly port: number;
  readonly counters: TunnelCounters;
  close(): Promise<void>;
}

export interface TunnelServerOptions {
  host: string;
  port: number;
  tls: TlsMaterial;
  /** RPC port → chain name: the platform chains of this host; any other port is refused. */
  ports: ReadonlyMap<number, string>;
  /** Where the chains listen. Default 127.0.0.1. */
  targetHost?: string;
  handshakeTimeoutMs?: number;
  /** Connections at once. Default 1024. */
  maxConnections?: number;
  log?: (line: string) => void;
}

function listenError(host: string, port: number, e: NodeJS.ErrnoException): DokomodoError {
  return new DokomodoError('listen-failed', `cannot listen on ${host}:${port}: ${e.code ?? e.message}`, {
    hint: 'pick another address or port',
  });
}

/** The far end: accepts mTLS connections from other relays and connects them to a local chain. */
export function startTunnelServer(opts: TunnelServerOptions): Promise<TunnelServer> {
  const counters: TunnelCounters = {
    accepted: 0,
    refusedPort: 0,
    refusedTls: 0,
    upstreamFailed: 0,
    active: 0,
  };
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({
    ...opts.tls,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.3',
    handshakeTimeout: opts.handshakeTimeoutMs ?? 10_000,
    noDelay: true,
  });
  server.maxConnections = opts.maxConnections ?? 1024;
  server.on('tlsClientError', () => {
    counters.refusedTls++;
  });
  server.on('secureConnection', (sock: tls.TLSSocket) => {
    sockets.add(sock);
    sock.setNoDelay(true);
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
    let head = Buffer.alloc(0);
    const lineTimer = setTimeout(() => sock.destroy(), opts.handshakeTimeoutMs ?? 10_000);
    sock.once('close', () => clearTimeout(lineTimer));
    const onData = (c: Buffer) => {
      head = Buffer.concat([head, c]);
      const nl = head.indexOf(10);
      if (nl < 0) {
        if (head.length > MAX_LINE) refuse('no request line');
        return;
      }
      clearTimeout(lineTimer);
      sock.off('data', onData);
      sock.pause();
      const line = head.subarray(0, nl).toString('latin1');
      const rest = head.subarray(nl + 1);
      const port = line.startsWith(PREFIX) ? Number(line.slice(PREFIX.length)) : Number.NaN;
      const chain = opts.ports.get(port);
      if (chain === undefined) {
        refuse(
          `port ${line.slice(PREFIX.length, PREFIX.length + 8)} is not the RPC port of a platform chain on this host`,
        );
        return;
      }
      const up = net.connect(port, opts.targetHost ?? '127.0.0.1');
      sockets.add(up);
      up.setNoDelay(true);
      up.on('close', () => sockets.delete(up));
      let connected = false;
      up.once('connect', () => {
        connected = true;
        counters.accepted++;
        counters.active++;
        sock.write('OK\n');
        if (rest.length) up.write(rest);
        sock.pipe(up);
        up.pipe(sock);
        sock.resume();
        const end = () => {
          up.destroy();
          sock.destroy();
        };
        let counted = true;
        const closed = () => {
          if (counted) {
            counted = false;
            counters.active--;
          }
          end();
        };
        sock.once('close', closed);
        up.once('close', closed);
      });
      up.once('error', (e: NodeJS.ErrnoException) => {
        if (!connected) {
          counters.upstreamFailed++;
          opts.log?.(`tunnel ${chain}: ${e.code ?? e.message}`);
          if (!sock.destroyed)
            sock.end(`NO ${chain} does not answer on 127.0.0.1:${port} (${e.code ?? 'error'})\n`);
        }
      });
    };
    const refuse = (why: string) => {
      clearTimeout(lineTimer);
      counters.refusedPort++;
      opts.log?.(`tunnel refused from ${sock.remoteAddress}: ${why}`);
      sock.end(`NO ${why}\n`);
    };
    sock.on('data', onData);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(opts.host, opts.port, e)));
    server.listen(opts.port, opts.host, () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        host: opts.host,
        port,
        counters,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

export interface TunnelSpec {
  /** Shown in logs: the chain. */
  name: string;
  /** The local port (on 127.0.0.1 unless listenHost says otherwise). */
  listenPort: number;
  /** The chain's RPC port on its host. */
  remotePort: number;
  /** The far relay's tunnel server. */
  peer: { host: string; port: number };
}

export interface TunnelListener {
  readonly spec: TunnelSpec;
  readonly port: number;
  readonly counters: { connections: number; refused: number; failed: number };
  close(): Promise<void>;
}

/** The near end: one local listener per remote chain, each connection carried over mTLS. */
export function startTunnelListener(opts: {
  spec: TunnelSpec;
  tls: TlsMaterial;
  listenHost?: string;
  connectTimeoutMs?: number;
  log?: (line: string) => void;
}): Promise<TunnelListener> {
  const { spec } = opts;
  const counters = { connections: 0, refused: 0, failed: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (local) => {
    sockets.add(local);
    local.setNoDelay(true);
    local.on('error', () => {});
    local.on('close', () => sockets.delete(local));
    const far = tls.connect({
      host: spec.peer.host,
      port: spec.peer.port,
      ca: opts.tls.ca,
      cert: opts.tls.cert,
      key: opts.tls.key,
      minVersion: 'TLSv1.3',
      rejectUnauthorized: true,
      ...(net.isIP(spec.peer.host) ? {} : { servername: spec.peer.host }),
    });
    sockets.add(far);
    far.setNoDelay(true);
    far.on('close', () => sockets.delete(far));
    const timer = setTimeout(() => {
      counters.failed++;
      opts.log?.(`tunnel ${spec.name}: no answer from ${spec.peer.host}:${spec.peer.port}`);
      far.destroy();
      local.destroy();
    }, opts.connectTimeoutMs ?? 10_000);
    far.write(`${PREFIX}${spec.remotePort}\n`);
    local.pipe(far);
    let head = Buffer.alloc(0);
    let open = false;
    const onData = (c: Buffer) => {
      head = Buffer.concat([head, c]);
      const nl = head.indexOf(10);
      if (nl < 0) {
        if (head.length > 512) far.destroy();
        return;
      }
      clearTimeout(timer);
      far.off('data', onData);
      const line = head.subarray(0, nl).toString('utf8');
      if (line !== 'OK') {
        counters.refused++;
        opts.log?.(
          `tunnel ${spec.name}: refused by ${spec.peer.host}:${spec.peer.port}: ${line.replace(/^NO /, '')}`,
        );
        far.destroy();
        local.destroy();
        return;
      }
      open = true;
      counters.connections++;
      const rest = head.subarray(nl + 1);
      if (rest.length) local.write(rest);
      far.pipe(local);
    };
    far.on('data', onData);
    far.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (!open) {
        counters.failed++;
        opts.log?.(`tunnel ${spec.name}: ${spec.peer.host}:${spec.peer.port}: ${e.code ?? e.message}`);
      }
      local.destroy();
    });
    far.on('close', () => {
      clearTimeout(timer);
      local.destroy();
    });
    local.on('close', () => far.destroy());
  });
  return new Promise((resolve, reject) => {
    const host = opts.listenHost ?? '127.0.0.1';
    server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(host, spec.listenPort, e)));
    server.listen(spec.listenPort, host, () => {
      resolve({
        spec,
        port: (server.address() as net.AddressInfo).port,
        counters,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
