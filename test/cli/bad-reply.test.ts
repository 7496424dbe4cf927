/**
 * Hostile or foreign servers on chains' RPC ports, over real sockets: a 100,000-deep JSON reply,
 * a 64 MB reply, an HTML page, bytes that are not HTTP, a server that closes at once, and a port
 * nobody listens on, beside two real devnet chains. Each is that one chain's result — a clear
 * `rpc-bad-reply` or its status state — never "Maximum call stack size exceeded" or exit 70,
 * and the other chains answer as usual: `rpc`, `rpc all`, `status`, and the monitor's poll.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpcCredentials } from '../../src/komodo/creds.ts';
import { type RpcError, RpcClient } from '../../src/operator/rpc/client.ts';
import type { RunResult } from './helpers.ts';

const SECRET = 'bad-reply-test-secret-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'dokomodo-badreply-'));
const BASE = 47300;
const CHAINS = ['BRGOOD1', 'BRGOOD2', 'BRDEEP', 'BRHUGE', 'BRHTML', 'BRGARBAGE', 'BRCLOSER', 'BRSTOPPED'];
const rpcPort = (name: string) => BASE + 2 * CHAINS.indexOf(name) + 1;
const file = join(dir, 'dokomodo.yaml');
writeFileSync(
  file,
  `version: 1
defaults: { start: { timeout: 30s }, stop: { timeout: 10s } }
chains:
${CHAINS.map((n, i) => `  ${n}: { params: { ac_supply: ${8100 + i} }, ports: { p2p: ${BASE + 2 * i}, rpc: ${BASE + 2 * i + 1}, override: true } }`).join('\n')}
`,
);
const data = join(dir, 'data');

/** The CLI as a child process, asynchronously: the servers of this test run in this process. */
function dokomodo(args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/dokomodo.js', ...args, '-f', file], {
      env: { ...process.env, NO_COLOR: '1', DOKOMODO_SECRET: SECRET, DOKOMODO_PASSPHRASE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

const DEPTH = 100_000;
const deepReply = `{"result":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)},"error":null,"id":1}`;
const MB = 1024 * 1024;
const megabyte = Buffer.alloc(MB, 'a');

const servers: Array<{ close: () => void }> = [];

function httpServer(port: number, handler: http.RequestListener): Promise<void> {
  const srv = http.createServer(handler);
  servers.push({
    close: () => {
      srv.closeAllConnections();
      srv.close();
    },
  });
  return new Promise((r) => srv.listen(port, '127.0.0.1', () => r()));
}

function tcpServer(port: number, onSocket: (s: net.Socket) => void): Promise<void> {
  const srv = net.createServer(onSocket);
  const sockets = new Set<net.Socket>();
  srv.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  servers.push({
    close: () => {
      for (const s of sockets) s.destroy();
      srv.close();
    },
  });
  return new Promise((r) => srv.listen(port, '127.0.0.1', () => r()));
}

beforeAll(async () => {
  const started = await dokomodo(['start', '--devnet', '--datadir', data, 'BRGOOD1,BRGOOD2']);
  expect(started.code, started.stdout + started.stderr).toBe(0);
  await httpServer(rpcPort('BRDEEP'), (req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(deepReply));
  });
  await httpServer(rpcPort('BRHUGE'), (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"result":"');
      // 64 MB of string, written as the socket drains, bounded by the count
      let left = 64;
      const more = () => {
        while (left > 0) {
          left--;
          if (!res.write(megabyte)) {
            res.once('drain', more);
            return;
          }
        }
        res.end('","error":null,"id":1}');
      };
      res.on('error', () => {});
      res.on('close', () => {
        left = 0;
      });
      more();
    });
  });
  await httpServer(rpcPort('BRHTML'), (req, res) => {
    req.resume();
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><html><body>It works!</body></html>');
  });
  await tcpServer(rpcPort('BRGARBAGE'), (s) => {
    s.on('data', () => s.end(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x0d, 0x42])));
  });
  await tcpServer(rpcPort('BRCLOSER'), (s) => s.destroy());
}, 60_000);

afterAll(async () => {
  for (const s of servers) s.close();
  await dokomodo(['stop', '--datadir', data]);
});

describe('RpcClient limits', () => {
  it('a reply nested deeper than the limit is a bad-reply error', async () => {
    const c = new RpcClient({
      port: rpcPort('BRDEEP'),
      user: 'u',
      password: 'p',
      retry: false,
      timeoutMs: 10_000,
    });
    const e = (await c.call('getinfo').catch((x) => x)) as RpcError;
    await c.close();
    expect(e.kind).toBe('bad-reply');
    expect(e.message).toMatch(/nests deeper than 128 levels/);
  });

  it('a reply larger than the limit is a bad-reply error, read no further', async () => {
    const c = new RpcClient({
      port: rpcPort('BRHUGE'),
      user: 'u',
      password: 'p',
      retry: false,
      timeoutMs: 20_000,
    });
    const e = (await c.call('getinfo').catch((x) => x)) as RpcError;
    await c.close();
    expect(e.kind).toBe('bad-reply');
    expect(e.message).toMatch(/larger than 33554432 bytes/);
  });

  it('many brackets are not depth: wide replies and brackets in strings pass, depth found in any chunk', async () => {
    // Written in pieces, so that the client sees several chunks.
    const serve = async (port: number, pieces: string[]) =>
      httpServer(port, (req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          const next = (i: number) => {
            if (i === pieces.length) res.end();
            else res.write(pieces[i], () => setTimeout(() => next(i + 1), 5));
          };
          next(0);
        });
      });
    const wide = Array.from({ length: 1000 }, (_, i) => `{"n":${i},"s":"[[{{"}`);
    await serve(BASE + 41, [
      '{"result":[',
      wide.slice(0, 500).join(','),
      ',',
      wide.slice(500).join(','),
      '],"error":null,"id":1}',
    ]);
    await serve(BASE + 43, [`{"result":"${'['.repeat(500)}","error":null,"id":1}`]);
    await serve(BASE + 45, [
      '{"result":[',
      wide.slice(0, 300).join(','),
      `,${'['.repeat(200)}${']'.repeat(200)}`,
      '],"error":null,"id":1}',
    ]);
    const call = async (port: number) => {
      const c = new RpcClient({ port, user: 'u', password: 'p', retry: false, timeoutMs: 10_000 });
      try {
        return await c.call('getinfo').catch((x) => x);
      } finally {
        await c.close();
      }
    };
    const r = (await call(BASE + 41)) as Array<{ n: number }>;
    expect(r).toHaveLength(1000);
    expect(r[999]?.n).toBe(999);
    expect(await call(BASE + 43)).toBe('['.repeat(500));
    const e = (await call(BASE + 45)) as RpcError;
    expect(e.kind).toBe('bad-reply');
    expect(e.message).toMatch(/nests deeper than 128 levels/);
  });

  it('limits are per client: lower ones refuse a real chain’s ordinary reply', async () => {
    const { user, password } = rpcCredentials(SECRET, 'BRGOOD1');
    const port = rpcPort('BRGOOD1');
    const ok = new RpcClient({ port, user, password, retry: false });
    expect(await ok.call('getblockcount')).toBeTypeOf('number');
    await ok.close();
    for (const [limits, why] of [
      [{ maxBytes: 10 }, /larger than 10 bytes/],
      [{ maxDepth: 1 }, /nests deeper than 1 levels/],
    ] as const) {
      const c = new RpcClient({ port, user, password, retry: false, limits });
      const e = (await c.call('getinfo').catch((x) => x)) as RpcError;
      await c.close();
      expect(e.kind).toBe('bad-reply');
      expect(e.message).toMatch(why);
    }
  });
});

describe('one bad chain, the others unaffected', () => {
  it('rpc on the deep chain alone: rpc-bad-reply, exit 1', async () => {
    const r = await dokomodo(['rpc', 'BRDEEP', 'getinfo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error rpc-bad-reply: BRDEEP: getinfo: the reply nests deeper than 128 levels/);
    expect(r.stdout + r.stderr).not.toMatch(/call stack|internal/i);
  });

  it('rpc all: every chain its own result', async () => {
    const r = await dokomodo(['rpc', 'all', 'getinfo', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/call stack|internal/i);
    const results = JSON.parse(r.stdout) as Array<{ chain: string; ok: boolean; error?: { code: string } }>;
    const byChain = Object.fromEntries(results.map((x) => [x.chain, x.ok ? 'ok' : x.error!.code]));
    expect(byChain).toEqual({
      BRGOOD1: 'ok',
      BRGOOD2: 'ok',
      BRDEEP: 'rpc-bad-reply',
      BRHUGE: 'rpc-bad-reply',
      BRHTML: 'rpc-http',
      BRGARBAGE: 'rpc-transport',
      BRCLOSER: 'rpc-transport',
      BRSTOPPED: 'rpc-transport',
    });
  });

  it('status tells running, stopped, not-komodod and bad-reply apart; exit 1', async () => {
    const r = await dokomodo(['status', '--json']);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout) as {
      chains: Array<{ chain: string; state: string; message: string | null }>;
    };
    expect(Object.fromEntries(s.chains.map((c) => [c.chain, c.state]))).toEqual({
      BRGOOD1: 'running',
      BRGOOD2: 'running',
      BRDEEP: 'bad-reply',
      BRHUGE: 'bad-reply',
      BRHTML: 'not-komodod',
      BRGARBAGE: 'not-komodod',
      BRCLOSER: 'not-komodod',
      BRSTOPPED: 'stopped',
    });
    expect(s.chains.find((c) => c.chain === 'BRHTML')!.message).toMatch(/HTTP 200: <!doctype html>/);
    expect(s.chains.find((c) => c.chain === 'BRGARBAGE')!.message).toMatch(/the reply is not HTTP/);
    expect(s.chains.find((c) => c.chain === 'BRCLOSER')!.message).toMatch(/closed without a reply/);
    const table = await dokomodo(['status']);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/^BRDEEP\s+bad-reply\s/m);
    expect(table.stdout).toMatch(/^BRGARBAGE\s+not-komodod\s/m);
    expect(table.stdout).toMatch(/^BRSTOPPED\s+stopped\s/m);
    expect(table.stdout).toContain('8 chains: 2 running, 2 bad-reply, 3 not-komodod, 1 stopped');
  });

  it('status exits 0 when every chain is running or stopped', async () => {
    const r = await dokomodo(['status', 'BRGOOD1,BRSTOPPED']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 chains: 1 running, 1 stopped');
  });

  it("the monitor's poll: the bad chains are down, the good ones up", async () => {
    const r = await dokomodo(['monitor', '--once']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/call stack|internal/i);
    const up = Object.fromEntries(
      [...r.stdout.matchAll(/^dokomodo_chain_up\{chain="(\w+)"[^}]*\} (\d)$/gm)].map((m) => [m[1], m[2]]),
    );
    expect(up).toEqual({
      BRGOOD1: '1',
      BRGOOD2: '1',
      BRDEEP: '0',
      BRHUGE: '0',
      BRHTML: '0',
      BRGARBAGE: '0',
      BRCLOSER: '0',
      BRSTOPPED: '0',
    });
  });
});
