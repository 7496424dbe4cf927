/** Shared helpers for devnet tests: temp dirs, small devnets on ephemeral ports, raw HTTP. */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Devnet, type DevnetChainSpec, startDevnet } from '../../src/devnet/host.ts';
import type { RunningChain } from '../../src/devnet/launch.ts';
import { RpcClient } from '../../src/operator/rpc/client.ts';

export function tempDir(prefix = 'dk-devnet-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A devnet of the named chains with manual blocks (blockTimeMs 0) on ephemeral ports. */
export async function smallDevnet(
  names: string[],
  extra: Partial<DevnetChainSpec> = {},
  opts: { warmupMs?: number; blockTimeMs?: number } = {},
): Promise<{ devnet: Devnet; dir: string; cleanup: () => Promise<void> }> {
  const t = tempDir();
  const devnet = await startDevnet({
    chains: names.map((name) => ({ name, datadir: path.join(t.dir, name), rpcport: 0, ...extra })),
    blockTimeMs: opts.blockTimeMs ?? 0,
    warmupMs: opts.warmupMs ?? 0,
  });
  return {
    devnet,
    dir: t.dir,
    cleanup: async () => {
      await devnet.stop();
      t.cleanup();
    },
  };
}

export function clientFor(
  c: RunningChain,
  opts: Partial<ConstructorParameters<typeof RpcClient>[0]> = {},
): RpcClient {
  return new RpcClient({
    port: c.rpcport,
    user: c.user,
    password: c.password,
    label: c.name,
    retry: false,
    ...opts,
  });
}

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

/** One HTTP request with node:http (no keep-alive), for status codes and headers. */
export function rawHttp(
  port: number,
  opts: { method?: string; body?: string; auth?: string; headers?: Record<string, string> } = {},
): Promise<RawReply> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
    if (opts.auth !== undefined)
      headers['authorization'] = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'POST', path: '/', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: Date.now() - t0,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** POST a JSON-RPC body with the chain's credentials. */
export function rpcRaw(c: RunningChain, body: unknown): Promise<RawReply> {
  return rawHttp(c.rpcport, {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    auth: `${c.user}:${c.password}`,
  });
}
