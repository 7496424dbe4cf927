/**
 * The RPC client's shared deadline timer, over real sockets: many calls with one timeout all end
 * on time while calls to a server that answers still succeed; and redaction of many registered
 * derived passwords in a long output.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clearSecrets, containsSecret, redact, registerSecret } from '../../src/core/redact.ts';
import { rpcCredentials } from '../../src/komodo/creds.ts';
import { type RpcError, RpcClient } from '../../src/operator/rpc/client.ts';

async function server(handler: http.RequestListener) {
  const srv = http.createServer(handler);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

describe('one deadline timer for many calls', () => {
  it('every call to a silent server times out on time; calls to a live one succeed meanwhile', async () => {
    const silent = await server((req) => req.resume());
    const live = await server((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.writeHead(200).end('{"result":7,"error":null,"id":1}'), 20));
    });
    const t0 = performance.now();
    const mk = (port: number) =>
      new RpcClient({ port, user: 'u', password: 'p', timeoutMs: 300, retry: false, connections: 1 });
    const silentCalls = Array.from({ length: 40 }, async (_, i) => {
      // started over 100 ms: each must end about 300 ms after its own start
      await new Promise((r) => setTimeout(r, (i % 10) * 10));
      const c = mk(silent.port);
      const started = performance.now();
      const e = (await c.call('getinfo').catch((x) => x)) as RpcError;
      await c.close();
      return { kind: e.kind, ms: performance.now() - started };
    });
    const liveCalls = Array.from({ length: 20 }, async () => {
      const c = mk(live.port);
      const v = await c.call('getinfo');
      await c.close();
      return v;
    });
    const [silentResults, liveResults] = await Promise.all([
      Promise.all(silentCalls),
      Promise.all(liveCalls),
    ]);
    expect(liveResults).toEqual(Array(20).fill(7));
    expect(silentResults.every((r) => r.kind === 'timeout')).toBe(true);
    for (const r of silentResults) {
      expect(r.ms).toBeGreaterThanOrEqual(295);
      expect(r.ms).toBeLessThan(1500);
    }
    expect(performance.now() - t0).toBeLessThan(3000);
    await silent.close();
    await live.close();
  });
});

describe('redaction of many derived passwords', () => {
  it('masks each registered one wherever it is, and only those', () => {
    clearSecrets();
    const passwords = Array.from(
      { length: 500 },
      (_, i) => rpcCredentials('secret-0123456789abcdef', `C${i}`).password,
    );
    for (const p of passwords) registerSecret(p);
    registerSecret('a passphrase of words');
    const unregistered = 'f'.repeat(64);
    const text = [
      `one ${passwords[3]} two`,
      `glued:ab${passwords[499]}cd`,
      `txid ${unregistered}`,
      'said a passphrase of words',
      `"rpcpassword": "${passwords[0]}x"`,
    ].join('\n');
    const out = redact(text);
    expect(out).toContain('one *** two');
    expect(out).toContain('glued:ab***cd');
    expect(out).toContain(`txid ${unregistered}`);
    expect(out).toContain('said ***');
    for (const p of passwords) expect(out).not.toContain(p);
    expect(containsSecret(`x${passwords[42]}`)).toBe(true);
    expect(containsSecret(unregistered)).toBe(false);
    clearSecrets();
  });
});
