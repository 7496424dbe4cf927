/** Daemons without `getinfo` (bitcoind, litecoind): status and the monitor fall back to newer calls. */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonInfo } from '../../src/operator/info.ts';
import { RpcClient } from '../../src/operator/rpc/client.ts';

/** A bitcoind-like JSON-RPC server: getinfo is "Method not found" (-32601, HTTP 404). */
function fakeLitecoind(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { method, id } = JSON.parse(body) as { method: string; id: unknown };
      const results: Record<string, unknown> = {
        getblockchaininfo: { chain: 'main', blocks: 2_800_000, headers: 2_800_003 },
        getnetworkinfo: { version: 210300, subversion: '/LitecoinCore:0.21.3/', connections: 9 },
        getbalance: 1.25,
      };
      const found = method in results;
      res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          found
            ? { result: results[method], error: null, id }
            : { result: null, error: { code: -32601, message: 'Method not found' }, id },
        ),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port }),
    ),
  );
}

describe('daemonInfo', () => {
  let fake: { server: Server; port: number };
  beforeAll(async () => {
    fake = await fakeLitecoind();
  });
  afterAll(async () => {
    await new Promise((r) => fake.server.close(r));
  });

  it('answers with getblockchaininfo, getnetworkinfo and getbalance when getinfo is gone', async () => {
    const client = new RpcClient({
      host: '127.0.0.1',
      port: fake.port,
      user: 'u',
      password: 'p',
      retry: false,
    });
    try {
      expect(await daemonInfo(client)).toEqual({
        blocks: 2_800_000,
        longestchain: 2_800_003,
        connections: 9,
        version: 210300,
        subversion: '/LitecoinCore:0.21.3/',
        balance: 1.25,
      });
    } finally {
      await client.close();
    }
  });
});
