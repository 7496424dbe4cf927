/** checkfork against the explorers a platform file names: a local server speaking the Insight API. */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpcCredentials } from '../../src/komodo/creds.ts';
import { loadPlatformText } from '../../src/platform/load.ts';
import { RpcClient } from '../../src/operator/rpc/client.ts';
import { dokomodo } from './helpers.ts';

const SECRET = 'checkfork-test-secret-0123456789';
const env = { DOKOMODO_SECRET: SECRET };
const dir = mkdtempSync(join(tmpdir(), 'dokomodo-ckf-'));
const data = join(dir, 'data');
const CHAIN = 'CKFX01';

/** The CLI run asynchronously: the explorer servers live in this process and must keep answering. */
function dokomodoAsync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/dokomodo.js', ...args], {
      env: { ...process.env, ...env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    const timer = setTimeout(() => child.kill(), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** An Insight-style explorer mirroring the chain; `lie` makes it report another hash. */
function explorer(client: RpcClient, lie: boolean): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    try {
      const url = req.url ?? '';
      let body: unknown;
      if (url.startsWith('/api/status?q=getInfo'))
        body = { info: { blocks: await client.call<number>('getblockcount') } };
      else if (url.startsWith('/api/block-index/')) {
        const h = Number(url.split('/').pop());
        const hash = await client.call<string>('getblockhash', [h]);
        body = { blockHash: lie ? hash.replace(/^./, (c) => (c === '0' ? '1' : '0')) : hash };
      } else {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({ server, url: `http://127.0.0.1:${port}/api` });
    }),
  );
}

describe('checkfork with the explorers of the platform file', () => {
  let honest: { server: Server; url: string };
  let liar: { server: Server; url: string };
  let client: RpcClient;
  const platformFile = (explorers: string[]) => {
    const yaml = `version: 1\nchains:\n  ${CHAIN}:\n    params: { ac_supply: 777 }\n    explorers: [${explorers.join(', ')}]\n`;
    const f = join(dir, `p${explorers.length}-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(f, yaml);
    return { f, platform: loadPlatformText(f, yaml).platform! };
  };

  beforeAll(async () => {
    const { f, platform } = platformFile([]);
    const r = dokomodo(['start', '--devnet', '--datadir', data, '-f', f], { env });
    expect(r.code).toBe(0);
    const creds = rpcCredentials(SECRET, CHAIN);
    client = new RpcClient({
      host: '127.0.0.1',
      port: platform.chains[0]!.rpc,
      user: creds.user,
      password: creds.password,
    });
    await client.call('devnet_mine', [12]);
    honest = await explorer(client, false);
    liar = await explorer(client, true);
  });
  afterAll(async () => {
    const { f } = platformFile([]);
    dokomodo(['stop', '--datadir', data, '-f', f], { env });
    await client.close();
    await new Promise((r) => honest.server.close(r));
    await new Promise((r) => liar.server.close(r));
  });

  it('a chain that agrees with its explorer is ok', async () => {
    const { f } = platformFile([honest.url]);
    const r = await dokomodoAsync(['checkfork', '--json', '-f', f]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Array<{
      state: string;
      peers: Array<{ kind: string; hashMatch: boolean }>;
    }>;
    expect(out[0]!.state).toBe('ok');
    expect(out[0]!.peers).toMatchObject([{ kind: 'explorer', hashMatch: true }]);
  });

  it('an explorer with another block at the common height reports a fork, exit 1', async () => {
    const { f } = platformFile([honest.url, liar.url]);
    const r = await dokomodoAsync(['checkfork', '--json', '-f', f]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as Array<{ state: string; peers: Array<{ hashMatch: boolean }> }>;
    expect(out[0]!.state).toBe('fork');
    expect(out[0]!.peers.map((p) => p.hashMatch)).toEqual([true, false]);
  });

  it('credentials in an explorer URL are refused when the platform file is loaded', () => {
    const r = loadPlatformText(
      'x.yaml',
      `version: 1\nchains:\n  ${CHAIN}:\n    explorers: [http://u:p@127.0.0.1:1/api]\n`,
    );
    expect(r.diagnostics.map((d) => [d.code, d.pos?.line])).toEqual([['bad-format', 4]]);
  });
});
