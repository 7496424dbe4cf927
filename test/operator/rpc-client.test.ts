import { freePort } from '../support/ports.ts';
import http from 'node:http';
import type net from 'node:net';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redact } from '../../src/core/redact.ts';
import { type RpcError, type RpcEvent, RpcClient, rpcClientFromConf } from '../../src/operator/rpc/client.ts';
import { smallDevnet } from '../devnet/helpers.ts';
import type { RunningChain } from '../../src/devnet/launch.ts';
import { readFileSync } from 'node:fs';

let chain: RunningChain;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const d = await smallDevnet(['DKCLIENT']);
  chain = d.devnet.chain('DKCLIENT');
  cleanup = d.cleanup;
});
afterAll(() => cleanup());

/** A bare server whose replies the test scripts. */
async function scripted(
  handler: http.RequestListener,
): Promise<{ port: number; close: () => Promise<void> }> {
  const srv = http.createServer(handler);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as AddressInfo).port,
    close: () =>
      new Promise((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

describe('RpcClient', () => {
  it('calls over a keep-alive pool and reuses connections', async () => {
    const c = new RpcClient({
      port: chain.rpcport,
      user: chain.user,
      password: chain.password,
      label: 'DKCLIENT',
    });
    const seen = new Set<string>();
    const onConn = (s: net.Socket) => seen.add(`${s.remotePort}`);
    chain.server.server.on('connection', onConn);
    for (let i = 0; i < 20; i++) expect(await c.call('getblockcount')).toBe(chain.chain.height);
    chain.server.server.off('connection', onConn);
    // undici may open a second socket while the first is finishing a reply; never one per call
    expect(seen.size).toBeLessThanOrEqual(2);
    await c.close();
  });

  it('builds a client from a conf file with komodod’s reader', async () => {
    const c = rpcClientFromConf(readFileSync(chain.confPath, 'utf8'), { label: 'from-conf' });
    expect(await c.call('getblockcount')).toBe(chain.chain.height);
    await c.close();
    expect(() => rpcClientFromConf('server=1\n')).toThrow(/rpcuser/);
  });

  it('never retries 401, and no credential appears in the error or events', async () => {
    const secret = 'pass-that-must-not-leak-123';
    const events: RpcEvent[] = [];
    const c = new RpcClient({
      port: chain.rpcport,
      user: chain.user,
      password: secret,
      onEvent: (e) => events.push(e),
    });
    const t0 = Date.now();
    const err = (await c.call('getinfo').catch((e) => e)) as RpcError;
    expect(err.kind).toBe('auth');
    expect(err.httpStatus).toBe(401);
    expect(err.attempts).toBe(1);
    expect(events).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(2000);
    const b64 = Buffer.from(`${chain.user}:${secret}`).toString('base64');
    for (const text of [err.message, String(err), JSON.stringify(err), err.stack ?? '']) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(b64);
    }
    expect(redact(`rpcpassword=${secret}`)).not.toContain(secret);
    await c.close();
  });

  it('does not leak URL credentials into labels or errors', async () => {
    const port = await freePort();
    const c = new RpcClient({ url: `http://alice:s3cr3t-url-pw@127.0.0.1:${port}/`, retry: false });
    expect(c.label).toBe(`127.0.0.1:${port}`);
    const err = (await c.call('getinfo').catch((e) => e)) as RpcError;
    expect(err.kind).toBe('transport');
    expect(err.message).not.toContain('s3cr3t-url-pw');
    await c.close();
  });

  it('retries connection refused with backoff until the deadline, emitting retry events', async () => {
    const port = await freePort();
    const events: RpcEvent[] = [];
    const c = new RpcClient({
      port,
      user: 'u',
      password: 'transport-secret',
      label: 'GONE',
      retry: { deadlineMs: 400, initialDelayMs: 50, maxDelayMs: 100 },
      onEvent: (e) => events.push(e),
    });
    const err = (await c.call('getinfo').catch((e) => e)) as RpcError;
    expect(err.kind).toBe('transport');
    expect(err.label).toBe('GONE');
    expect(err.message).toMatch(/connection refused/);
    expect(err.message).toMatch(/gave up after \d+ attempts/);
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(events.map((e) => e.delayMs).slice(0, 3)).toEqual([50, 100, 100]);
    expect(events.every((e) => e.type === 'retry' && e.label === 'GONE' && e.method === 'getinfo')).toBe(
      true,
    );
    await c.close();
  });

  it('succeeds once a refused endpoint comes up (daemon starting)', async () => {
    const port = await freePort();
    const c = new RpcClient({ port, retry: { deadlineMs: 5000, initialDelayMs: 50, maxDelayMs: 100 } });
    const pending = c.call('getblockcount');
    await new Promise((r) => setTimeout(r, 200));
    const srv = http.createServer((_q, s) =>
      s.writeHead(200, { 'content-type': 'application/json' }).end('{"result":5,"error":null,"id":1}\n'),
    );
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
    expect(await pending).toBe(5);
    await c.close();
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
  });

  it('retries a 5xx without a JSON-RPC body, but not an application error', async () => {
    let n = 0;
    const s = await scripted((req, res) => {
      req.resume();
      req.on('end', () => {
        n++;
        if (n === 1) res.writeHead(500, { 'content-type': 'text/plain' }).end('Work queue depth exceeded');
        else
          res
            .writeHead(500, { 'content-type': 'application/json' })
            .end('{"result":null,"error":{"code":-5,"message":"Invalid address"},"id":1}\n');
      });
    });
    const events: RpcEvent[] = [];
    const c = new RpcClient({
      port: s.port,
      retry: { deadlineMs: 2000, initialDelayMs: 20 },
      onEvent: (e) => events.push(e),
    });
    const err = (await c.call('validateaddress', ['x']).catch((e) => e)) as RpcError;
    expect(err.kind).toBe('rpc');
    expect(err.code).toBe(-5);
    expect(n).toBe(2);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'http',
      message: expect.stringMatching(/Work queue depth exceeded/),
    });
    await c.close();
    await s.close();
  });

  it('a peer that resets the connection is a closed connection without a reply, in words', async () => {
    // Resets once the request has arrived (what a peer that closes with the request unread does).
    const srv = createServer((sock) => sock.once('data', () => sock.resetAndDestroy()));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const c = new RpcClient({ port: (srv.address() as AddressInfo).port, label: 'RESET', connections: 1 });
    try {
      const err = (await c.call('getinfo', [], { retry: false }).catch((e) => e)) as RpcError;
      expect(err.kind).toBe('transport');
      expect(err.message).toBe('RESET: getinfo: the connection was closed without a reply (ECONNRESET)');
    } finally {
      await c.close();
      srv.close();
    }
  });

  it('reports a timeout (and does not retry it)', async () => {
    let calls = 0;
    const s = await scripted((req) => {
      calls++;
      req.resume();
    });
    const c = new RpcClient({
      port: s.port,
      timeoutMs: 150,
      retry: { deadlineMs: 2000, initialDelayMs: 10 },
    });
    const err = (await c.call('getinfo').catch((e) => e)) as RpcError;
    expect(err.kind).toBe('timeout');
    expect(err.message).toMatch(/no reply within 150 ms/);
    expect(calls).toBe(1);
    await c.close();
    await s.close();
  });

  it('reports 403 as an auth error without retrying', async () => {
    let calls = 0;
    const s = await scripted((req, res) => {
      calls++;
      req.resume();
      res.writeHead(403, { 'content-length': 0 }).end();
    });
    const c = new RpcClient({ port: s.port, retry: { deadlineMs: 2000, initialDelayMs: 10 } });
    const err = (await c.call('getinfo').catch((e) => e)) as RpcError;
    expect(err).toMatchObject({ kind: 'auth', httpStatus: 403 });
    expect(calls).toBe(1);
    await c.close();
    await s.close();
  });
});
