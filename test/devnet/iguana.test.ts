import { freePort } from '../support/ports.ts';
import http from 'node:http';
import net from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Devnet, startDevnet } from '../../src/devnet/host.ts';
import {
  ACTIVE_AFTER_ROUND,
  IGUANA_HEADER_PREFIX,
  type IguanaSim,
  startIguana,
  tooFewSeeds,
} from '../../src/devnet/iguana.ts';
import { keyFromPassphrase, pubkeyAddress } from '../../src/devnet/keys.ts';
import type { RunningChain } from '../../src/devnet/launch.ts';
import { IguanaClient, IguanaError } from '../../src/operator/iguana-client.ts';
import type { RpcClient } from '../../src/operator/rpc/client.ts';
import { clientFor, tempDir } from './helpers.ts';

const PASS = 'myverysecretandstrongpassphrase_noneabletobrute';
const PUBKEY = '02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1';
const KMD_ADDR = 'RVNKRr2uxPMxJeDwFnTKjdtiLtcs7UzCZn';
const LTC_ADDR = 'LfK5cYTTSDoSVSYtxkTVv8dGnqXYZRsn86';
const LTC_WIF = 'T7trfubd9dBEWe3EnFYfj1r1pBueqqCaUUVKKEvLAfQvz3JFsNhs';
const KMD_WIF = 'UtrRXqvRFUAtCrCTRAHPH6yroQKUrrTJRmxt2h5U4QTUN1jCxTAh';

/** Sends raw bytes to Iguana and returns everything it sends back before closing. */
function rawExchange(
  port: number,
  request: string | (() => Promise<void>)[],
  first?: string,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    sock.on('connect', () => {
      if (typeof request === 'string') sock.write(request);
      else if (first !== undefined) sock.write(first);
    });
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

function post(port: number, body: string, headerName = 'Content-Length', extra = ''): string {
  return `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${extra}${headerName}: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

const t = tempDir('dk-iguana-');
let devnet: Devnet;
let iguana: IguanaSim;
let client: IguanaClient;
let kmd: RunningChain;
let ltc: RunningChain;
let ac: RunningChain;
const rpc: Record<string, RpcClient> = {};

beforeAll(async () => {
  // KMD does not start without komodo.conf; give it one as an operator would
  const kmdDir = path.join(t.dir, 'kmd');
  mkdirSync(kmdDir, { recursive: true });
  writeFileSync(
    path.join(kmdDir, 'komodo.conf'),
    `rpcuser=kmdu\nrpcpassword=kmdpw-secret\nrpcport=${await freePort()}\n`,
  );
  devnet = await startDevnet({
    blockTimeMs: 0,
    chains: [
      { name: 'KMD', datadir: kmdDir },
      // a devnet chain standing in for litecoind: LTC address versions
      {
        name: 'LTCDEV',
        datadir: path.join(t.dir, 'ltc'),
        rpcport: 0,
        chain: { versions: { pubtype: 48, p2sh: 5, wif: 176 } },
      },
      {
        name: 'DKAC',
        datadir: path.join(t.dir, 'dkac'),
        rpcport: 0,
        pubkey: PUBKEY,
        chain: { notarizeEvery: 0 },
      },
    ],
    iguanas: [{ daemonRetryDelaysMs: [50, 50], stopDelayMs: 100 }],
  });
  kmd = devnet.chain('KMD');
  ltc = devnet.chain('LTCDEV');
  ac = devnet.chain('DKAC');
  for (const c of devnet.chains) rpc[c.name] = clientFor(c);
  iguana = devnet.iguanas[0]!;
  client = new IguanaClient({ port: iguana.port, timeoutMs: 10_000 });
});

afterAll(async () => {
  await Promise.all(Object.values(rpc).map((c) => c.close()));
  await devnet.stop();
  t.cleanup();
});

function coinPayload(symbol: string, c: RunningChain, extra: Record<string, unknown> = {}) {
  return {
    newcoin: symbol,
    name: symbol,
    conf: path.basename(c.confPath),
    // Iguana reads /<path>/<conf>; scripts write the path without its leading slash
    path: path.dirname(c.confPath).replace(/^\//, ''),
    RELAY: -1,
    VALIDATE: 0,
    active: 1,
    p2p: c.p2pport,
    rpc: c.rpcport,
    pubval: 60,
    p2shval: 85,
    wifval: 188,
    sapling: 1,
    txfee_satoshis: '10000',
    ...extra,
  };
}

describe('Iguana wire format', () => {
  it('replies with Iguana’s exact header block, a trailing newline, and closes', async () => {
    const sim = await startIguana();
    try {
      const body = '{"agent":"SuperNET","method":"myipaddr","ipaddr":"203.0.113.7"}';
      const raw = (await rawExchange(sim.port, post(sim.port, body))).toString('latin1');
      const m =
        /^([\s\S]*?)Content-Length : ( {0,7}\d+)\r\n\r\n(\{"result":"203\.0\.113\.7","tag":"(\d+)"\})\n$/.exec(
          raw,
        );
      expect(m).not.toBeNull();
      expect(m![1]).toBe(IGUANA_HEADER_PREFIX);
      expect(m![1]).toBe(
        'HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nAccess-Control-Allow-Credentials: true\r\n' +
          'Access-Control-Allow-Methods: GET, POST\r\nCache-Control :  no-cache, no-store, must-revalidate\r\n',
      );
      expect(m![2]).toHaveLength(8);
      expect(Number(m![2])).toBe(Buffer.byteLength(m![3]!));
      expect(BigInt(m![4]!)).toBeLessThan(2n ** 64n);
    } finally {
      await sim.close();
    }
  });

  it('is rejected by Node’s http.request (even with insecureHTTPParser) and by fetch', async () => {
    const sim = await startIguana();
    try {
      const body = '{"agent":"dpow","method":"notarychains"}';
      for (const insecureHTTPParser of [false, true]) {
        const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
          const req = http.request(
            {
              host: '127.0.0.1',
              port: sim.port,
              method: 'POST',
              path: '/',
              insecureHTTPParser,
              headers: { 'Content-Length': Buffer.byteLength(body) },
            },
            () => resolve(new Error('parsed') as NodeJS.ErrnoException),
          );
          req.on('error', resolve);
          req.end(body);
        });
        expect(err.code).toBe('HPE_INVALID_HEADER_TOKEN');
      }
      await expect(fetch(`http://127.0.0.1:${sim.port}/`, { method: 'POST', body })).rejects.toThrow();
    } finally {
      await sim.close();
    }
  });

  it('sees the body only through `Content-Length: ` spelled exactly; checks Origin', async () => {
    const sim = await startIguana();
    try {
      const body = '{"agent":"dpow","method":"notarychains"}';
      const lower = (await rawExchange(sim.port, post(sim.port, body, 'content-length'))).toString();
      expect(lower.endsWith('\r\n\r\n{"error":"no method"}\n')).toBe(true);
      const remote = (
        await rawExchange(sim.port, post(sim.port, body, 'Content-Length', 'Origin: http://evil.example\r\n'))
      ).toString();
      expect(remote.endsWith('{"error":"remote origin not enabled"}\n')).toBe(true);
      const local = (
        await rawExchange(
          sim.port,
          post(sim.port, body, 'Content-Length', 'Origin: http://127.0.0.1:3000\r\n'),
        )
      ).toString();
      expect(local).toMatch(/\["KMD",/);
      const c = new IguanaClient({ port: sim.port });
      expect(await c.notarychains()).toContain('KMD');
    } finally {
      await sim.close();
    }
  });

  it('serves one request at a time, in arrival order', async () => {
    const sim = await startIguana();
    try {
      const slowBody = '{"agent":"SuperNET","method":"myipaddr","ipaddr":"203.0.113.9"}';
      const order: string[] = [];
      const slow = new Promise<void>((resolve) => {
        const sock = net.connect(sim.port, '127.0.0.1', () => {
          sock.write(`POST / HTTP/1.1\r\nContent-Length: ${slowBody.length}\r\n\r\n`);
          setTimeout(() => sock.write(slowBody), 300);
        });
        sock.on('data', () => {});
        sock.on('close', () => {
          order.push('slow');
          resolve();
        });
      });
      await new Promise((r) => setTimeout(r, 50));
      const t0 = Date.now();
      const fast = new IguanaClient({ port: sim.port }).notarychains().then(() => order.push('fast'));
      await Promise.all([slow, fast]);
      expect(order).toEqual(['slow', 'fast']);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    } finally {
      await sim.close();
    }
  });

  it('answers batches with an array (no tag on the array)', async () => {
    const reply = await client.request([
      { agent: 'dpow', method: 'notarychains' },
      { agent: 'nosuch', method: 'x' },
    ]);
    expect(Array.isArray(reply)).toBe(true);
    expect((reply as unknown[])[1]).toMatchObject({
      error: 'unsupported call',
      agent: 'nosuch',
      method: 'x',
    });
  });
});

describe('Iguana notary bootstrap against devnet daemons', () => {
  it('refuses dpow before the node is a registered notary, and walletpassphrase before any coin', async () => {
    expect(
      await client.request({ agent: 'iguana', method: 'dpow', symbol: 'DKAC', pubkey: PUBKEY }),
    ).toMatchObject({
      error: 'must be running as notary node',
    });
    expect(await client.request({ method: 'walletpassphrase', params: [PASS, 9999999] })).toEqual({
      error: 'null return from iguana_bitcoinRPC',
    });
  });

  it('myipaddr keeps the first valid IP; addnotary adds peers', async () => {
    const r = await client.myipaddr('203.0.113.7');
    expect(r['result']).toBe('203.0.113.7');
    expect(r['tag']).toMatch(/^\d+$/);
    expect((await client.myipaddr('198.51.100.99'))['result']).toBe('203.0.113.7');
    expect(await client.addnotary('198.51.100.10')).toMatchObject({ result: 'notary node added' });
    expect(await client.ipaddrs()).toEqual(['198.51.100.10']);
  });

  it('addcoin KMD (coin added, then coin already there)', async () => {
    expect(await client.addcoin(coinPayload('KMD', kmd))).toMatchObject({ result: 'coin added' });
    expect(await client.addcoin(coinPayload('KMD', kmd))).toMatchObject({ result: 'coin already there' });
    await expect(client.addcoin({ name: 'x' })).rejects.toMatchObject({
      kind: 'iguana',
      iguanaError: 'addcoin needs newcoin',
    });
  });

  it('walletpassphrase: errors, then the identity object; the key lands in the KMD daemon', async () => {
    await expect(client.walletpassphrase(PASS, 0)).rejects.toMatchObject({
      iguanaError: 'timeout must be positive',
    });
    expect(await client.request({ method: 'walletpassphrase', params: [] })).toMatchObject({
      error: 'must have password field',
    });
    expect(await rpc['KMD']!.call<{ ismine: boolean }>('validateaddress', [KMD_ADDR])).toMatchObject({
      ismine: false,
    });
    const id = await client.walletpassphrase(PASS, 9999999);
    expect(id).toMatchObject({
      btcpubkey: PUBKEY,
      KMD: KMD_ADDR,
      result: 'success',
      status: 'unlocked',
      duration: 3600,
      myip: '203.0.113.7',
    });
    expect(id['rmd160']).toBe('dc5abb3c56eba571a0910fe18fa8f205d29a06e3');
    expect(id['pubkey']).toMatch(/^[0-9a-f]{64}$/);
    expect(id['NXT']).toMatch(/^\d+$/);
    expect(await rpc['KMD']!.call<{ ismine: boolean }>('validateaddress', [KMD_ADDR])).toMatchObject({
      ismine: true,
    });
    // As the real one: jumblr_setpassphrase imports a second key ("deposit jumblr <passphrase>") into KMD.
    const deposit = pubkeyAddress(keyFromPassphrase(`deposit jumblr ${PASS}`).pubkey, 60);
    expect(await rpc['KMD']!.call<{ ismine: boolean }>('validateaddress', [deposit])).toMatchObject({
      ismine: true,
    });
    // activehandle: the same identity, and the real time left (the reply's 3600 is not it).
    const handle = await client.activehandle();
    expect(handle).toMatchObject({ btcpubkey: PUBKEY, KMD: KMD_ADDR, status: 'unlocked' });
    expect(handle['duration']).toBeGreaterThan(9_999_000);
    expect(iguana.calls.join(' ')).not.toContain(PASS);
    // the passphrase never shows up in an error of the client
    const err = (await new IguanaClient({ port: await freePort() })
      .walletpassphrase(PASS)
      .catch((e) => e)) as IguanaError;
    expect(err.kind).toBe('transport');
    expect(err.message).not.toContain(PASS);
  });

  it('myipaddr now reports the relay id', async () => {
    expect(await client.myipaddr('203.0.113.7')).toMatchObject({
      result: '203.0.113.7',
      relayid: 0,
      numrelays: 1,
    });
  });

  it('dpow preconditions in order, then success', async () => {
    const dpow = (symbol: string, pubkey = PUBKEY) =>
      client.request({ agent: 'iguana', method: 'dpow', symbol, pubkey });
    expect(await dpow('KMD')).toMatchObject({ error: 'cant dPoW KMD without LTC' });
    expect(await dpow('DKAC', '02abc')).toMatchObject({ error: 'need 33 byte pubkey' });
    expect(await dpow('DKAC')).toMatchObject({ error: 'cant dPoW an inactive coin' });
    await client.addcoin(
      coinPayload('LTC', ltc, { name: 'litecoin', pubval: 48, p2shval: 5, wifval: 176, sapling: 0 }),
    );
    await client.addcoin(coinPayload('DKAC', ac));
    expect(await dpow('DKAC')).toMatchObject({
      error: 'source address or dest address has no privkey, importprivkey',
    });
    await rpc['DKAC']!.call('importprivkey', [KMD_WIF, '', false]);
    expect(await dpow('DKAC')).toMatchObject({ result: 'success' });
    expect(await dpow('DKAC')).toMatchObject({ error: 'cant dPoW same coin again' });
    expect(await dpow('KMD')).toMatchObject({
      error: 'source address or dest address has no privkey, importprivkey',
    });
    expect(await rpc['LTCDEV']!.call('importprivkey', [LTC_WIF, '', false])).toBe(LTC_ADDR);
    expect(await dpow('KMD')).toMatchObject({ result: 'success', tag: expect.stringMatching(/^\d+$/) });
    const id = await client.walletpassphrase(PASS);
    expect(id).toMatchObject({ KMD: KMD_ADDR, LTC: LTC_ADDR, DKAC: KMD_ADDR });
  });

  it('splitfunds builds, signs and broadcasts P2PK outputs through the daemon', async () => {
    ac.chain.mine(2);
    await rpc['DKAC']!.call('sendtoaddress', [KMD_ADDR, 1]);
    ac.chain.mine(1);
    const r = await client.splitfunds({ coin: 'DKAC', satoshis: 10000, duplicates: 10 });
    expect(r.completed).toBe(true);
    expect(r.result).toMatch(/^0400008085202f89/);
    expect(await rpc['DKAC']!.call('getrawmempool')).toContain(r.txid);
    // resending the same hex (what tools do because Iguana hides the broadcast result) is harmless
    expect(await rpc['DKAC']!.call('sendrawtransaction', [r.result])).toBe(r.txid);
    ac.chain.mine(1);
    const utxos = await rpc['DKAC']!.call<{ amount: number; scriptPubKey: string; txid: string }[]>(
      'listunspent',
      [1, 9999999, [KMD_ADDR]],
    );
    expect(
      utxos.filter((u) => u.txid === r.txid && u.amount === 0.0001 && u.scriptPubKey === `21${PUBKEY}ac`),
    ).toHaveLength(10);
    const change = utxos.find((u) => u.txid === r.txid && u.scriptPubKey.startsWith('76a914'));
    // fee = txfee + duplicates × txfee / 10 = 0.0002
    expect(change?.amount).toBe(0.9988);
    expect(
      await client.request({
        agent: 'iguana',
        method: 'splitfunds',
        coin: 'NOPE',
        satoshis: 10000,
        duplicates: 1,
      }),
    ).toMatchObject({
      error: 'need active coin',
    });
    expect(
      await client.request({
        agent: 'iguana',
        method: 'splitfunds',
        coin: 'DKAC',
        satoshis: 10000,
        duplicates: 1e6,
      }),
    ).toMatchObject({
      error: 'couldnt create duplicates tx',
    });
  });

  it('monitoring calls: dpow active, notarychains, notarizations, SuperNET help, bitcoinrpc getinfo', async () => {
    // Before any round has completed the simulator answers `dpow active` (the real one does too).
    const active = await client.call<unknown>({ agent: 'dpow', method: 'active' });
    expect(Array.isArray(active)).toBe(true);
    expect((active as { recvmask: string }[])[0]!.recvmask).toMatch(/^[ 0-9a-f]{16}$/);
    expect(await client.call({ agent: 'dpow', method: 'active', maskhex: '3' })).toMatchObject({
      maskhex: '3',
      set: ['devnet_self'],
      not: [],
    });
    expect(await client.notarychains()).toContain('KMD');
    expect((await client.help())['result']).toBeTypeOf('object');
    expect(ac.chain.notarize().participated).toBe(true);
    ac.chain.mine(1);
    const n = await client.notarizations('DKAC', 0, 1000);
    expect(n).toMatchObject({
      coin: 'DKAC',
      start: 0,
      maxheight: ac.chain.height,
      numblocks: ac.chain.height + 1,
    });
    expect(n['notarizations']).toEqual([{ notary: 'devnet_self', id: 0, notarizations: 1 }]);
    // A round has completed: the real Iguana would now crash on `dpow active`; the simulator says so.
    expect(await client.request({ agent: 'dpow', method: 'active' })).toMatchObject({
      error: ACTIVE_AFTER_ROUND,
    });
    expect(await client.request({ agent: 'dpow', method: 'notarizations', symbol: 'NOPE' })).toMatchObject({
      error: 'cant find coin',
    });
    expect(await client.request({ agent: 'bitcoinrpc', method: 'getinfo', coin: 'KMD' })).toMatchObject({
      result: 'success',
      coin: 'KMD',
    });
  });

  it('unknown calls and missing agents get Iguana’s errors', async () => {
    expect(await client.request({ agent: 'iguana', method: 'nosuch' })).toMatchObject({
      error: 'unsupported call',
      agent: 'iguana',
      method: 'nosuch',
    });
    expect(await client.request({ method: 'nosuch' })).toEqual({ error: 'need both agent and method' });
    expect(await client.request({ agent: 'iguana' })).toEqual({ error: 'no method' });
  });

  it('addnotary without ipaddr drops the connection (Iguana crashes) but the simulator keeps serving', async () => {
    await expect(client.addnotary('')).rejects.toMatchObject({ kind: 'protocol' });
    const err = (await client
      .request({ agent: 'iguana', method: 'addnotary' })
      .catch((e) => e)) as IguanaError;
    expect(err).toBeInstanceOf(IguanaError);
    expect(err.kind).toBe('empty');
    expect((await client.myipaddr('203.0.113.7'))['result']).toBe('203.0.113.7');
  });

  it('walletpassphrase still answers when the daemon is absent (after Iguana’s retries); the unlock expires', async () => {
    const sim = await startIguana({ daemonRetryDelaysMs: [20, 20, 20], unlockMs: 150 });
    try {
      const c = new IguanaClient({ port: sim.port });
      await c.myipaddr('203.0.113.8');
      await c.addcoin({
        newcoin: 'KMD',
        conf: 'komodo.conf',
        path: 'nonexistent/dir',
        rpc: await freePort(),
      });
      const t0 = Date.now();
      // The reply says 3600 whatever the unlock lasts, as the real Iguana's does.
      expect(await c.walletpassphrase(PASS, 9999999)).toMatchObject({ btcpubkey: PUBKEY, duration: 3600 });
      // validateaddress + 2 × importprivkey, each tried 4 times with 3 waits
      expect(Date.now() - t0).toBeGreaterThanOrEqual(3 * 3 * 20);
      await new Promise((r) => setTimeout(r, 200));
      expect(
        await c.request({
          agent: 'iguana',
          method: 'splitfunds',
          coin: 'KMD',
          satoshis: 10000,
          duplicates: 1,
        }),
      ).toMatchObject({
        error: 'need to unlock wallet',
      });
    } finally {
      await sim.close();
    }
  });

  it('an elected file with fewer than 8 seeds: the start is refused, saying why', async () => {
    await expect(startIguana({ seeds: ['127.0.0.1', '127.0.0.1'] })).rejects.toThrow(tooFewSeeds(2));
    expect(tooFewSeeds(2)).toMatch(/fewer than 8 .*segfaults/);
    const sim = await startIguana({ seeds: Array(8).fill('127.0.0.1') });
    await sim.close();
  });

  it('activehandle before the unlock: locked, no key', async () => {
    const sim = await startIguana();
    try {
      const h = await new IguanaClient({ port: sim.port }).activehandle();
      expect(h).toMatchObject({ result: 'success', status: 'locked' });
      expect(h['btcpubkey']).toBeUndefined();
    } finally {
      await sim.close();
    }
  });

  it('SuperNET stop: no reply, then the instance goes away', async () => {
    const sim = await startIguana({ stopDelayMs: 50 });
    const c = new IguanaClient({ port: sim.port, timeoutMs: 2000 });
    let exited = false;
    sim.opts.onExit = () => {
      exited = true;
    };
    await c.stop();
    for (let i = 0; i < 40 && !exited; i++) await new Promise((r) => setTimeout(r, 25));
    expect(exited).toBe(true);
    await expect(c.notarychains()).rejects.toMatchObject({ kind: 'transport' });
  });
});
