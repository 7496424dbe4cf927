import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDevnet } from '../../src/devnet/host.ts';
import { RpcClient, rpcClientFromConf } from '../../src/operator/rpc/client.ts';
import { tempDir } from './helpers.ts';

describe('multi-chain host', () => {
  it('runs 1000 chains in one process, each with its own conf, datadir and RPC port', async () => {
    const t = tempDir('dk-host-');
    const n = 1000;
    const t0 = Date.now();
    const devnet = await startDevnet({
      chains: Array.from({ length: n }, (_, i) => ({
        name: `DKSCALE${i}`,
        params: { ac_supply: String(1000 + i) },
        datadir: path.join(t.dir, `c${i}`),
        rpcport: 0,
      })),
      blockTimeMs: 0,
    });
    const startMs = Date.now() - t0;
    try {
      expect(devnet.chains).toHaveLength(n);
      expect(new Set(devnet.chains.map((c) => c.rpcport)).size).toBe(n);
      expect(devnet.chains[17]!.name).toBe('DKSCALE17');
      // every 100th chain answers over its conf file's credentials and port
      const sample = devnet.chains.filter((_, i) => i % 100 === 0);
      const infos = await Promise.all(
        sample.map(async (c) => {
          const client = rpcClientFromConf(readFileSync(c.confPath, 'utf8'), { retry: false });
          try {
            return await client.call<{ name: string; rpcport: number }>('getinfo');
          } finally {
            await client.close();
          }
        }),
      );
      expect(infos.map((i) => i.name)).toEqual(sample.map((c) => c.name));
      expect(infos.map((i) => i.rpcport)).toEqual(sample.map((c) => c.rpcport));
      expect(startMs).toBeLessThan(15_000);
    } finally {
      await devnet.stop();
      t.cleanup();
    }
  });

  it('reports KMD’s height as KMDnotarized_height when KMD runs in the same devnet', async () => {
    const t = tempDir('dk-host-');
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(path.join(t.dir, 'kmd'));
    writeFileSync(path.join(t.dir, 'kmd', 'komodo.conf'), 'rpcuser=u\nrpcpassword=pw1234\n');
    const devnet = await startDevnet({
      chains: [
        { name: 'KMD', datadir: path.join(t.dir, 'kmd'), rpcport: 0 },
        { name: 'DKLINK', datadir: path.join(t.dir, 'ac'), rpcport: 0 },
      ],
      blockTimeMs: 0,
    });
    try {
      devnet.chain('KMD').chain.mine(7);
      const ac = devnet.chain('DKLINK');
      const c = new RpcClient({ port: ac.rpcport, user: ac.user, password: ac.password, retry: false });
      expect((await c.call<Record<string, unknown>>('getinfo'))['KMDnotarized_height']).toBe(7);
      await c.close();
    } finally {
      await devnet.stop();
      t.cleanup();
    }
  });

  it('stops the chains already started when one fails to start', async () => {
    const t = tempDir('dk-host-');
    try {
      await expect(
        startDevnet({
          chains: [
            { name: 'DKOK', datadir: path.join(t.dir, 'ok'), rpcport: 0 },
            // KMD without komodo.conf refuses to start
            { name: 'KMD', datadir: path.join(t.dir, 'kmd'), rpcport: 0 },
          ],
          blockTimeMs: 0,
        }),
      ).rejects.toMatchObject({ code: 'devnet-conf-missing' });
    } finally {
      t.cleanup();
    }
  });

  it('advances blocks on a timer', async () => {
    const t = tempDir('dk-host-');
    const devnet = await startDevnet({
      chains: [{ name: 'DKTIMER', datadir: path.join(t.dir, 'a'), rpcport: 0 }],
      blockTimeMs: 20,
    });
    try {
      const c = devnet.chain('DKTIMER').chain;
      for (let i = 0; i < 100 && c.height < 3; i++) await new Promise((r) => setTimeout(r, 20));
      expect(c.height).toBeGreaterThanOrEqual(3);
    } finally {
      await devnet.stop();
      t.cleanup();
    }
  });
});
