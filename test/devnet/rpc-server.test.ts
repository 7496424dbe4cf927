import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFromPassphrase } from '../../src/devnet/keys.ts';
import type { RunningChain } from '../../src/devnet/launch.ts';
import type { Devnet } from '../../src/devnet/host.ts';
import type { RpcClient, RpcError } from '../../src/operator/rpc/client.ts';
import { clientFor, rawHttp, rpcRaw, smallDevnet } from './helpers.ts';

const PASS = 'myverysecretandstrongpassphrase_noneabletobrute';
const KEY = keyFromPassphrase(PASS);
const PUBKEY = Buffer.from(KEY.pubkey).toString('hex');
const NOTARY_ADDR = 'RVNKRr2uxPMxJeDwFnTKjdtiLtcs7UzCZn';
const WIF = 'UtrRXqvRFUAtCrCTRAHPH6yroQKUrrTJRmxt2h5U4QTUN1jCxTAh';
const NTZ_ADDR = 'RXL3YXG2ceaB6C5hfJcN4fvmLH2C34knhA';

let devnet: Devnet;
let cleanup: () => Promise<void>;
let plain: RunningChain;
let rpc: RpcClient;

beforeAll(async () => {
  const d = await smallDevnet(['DKTEST', 'DKSECOND']);
  devnet = d.devnet;
  cleanup = d.cleanup;
  plain = devnet.chain('DKTEST');
  plain.chain.mine(3);
  rpc = clientFor(plain);
});

afterAll(async () => {
  await rpc.close();
  await cleanup();
});

describe('komodod RPC transport', () => {
  it('answers JSON-RPC with result/error/id and a trailing newline', async () => {
    const r = await rpcRaw(plain, { method: 'getblockcount', params: [], id: 7 });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.body).toBe('{"result":3,"error":null,"id":7}\n');
  });

  it('echoes string ids and ignores extra members (agent, jsonrpc)', async () => {
    const r = await rpcRaw(plain, {
      id: 'jl777',
      agent: 'DKTEST',
      jsonrpc: '1.0',
      method: 'getbestblockhash',
      params: [],
    });
    expect(JSON.parse(r.body)).toEqual({ result: plain.chain.tip.hash, error: null, id: 'jl777' });
  });

  it('answers 401 with WWW-Authenticate and an empty body, after 250 ms for wrong credentials', async () => {
    const none = await rawHttp(plain.rpcport, { body: '{"method":"getinfo"}' });
    expect(none.status).toBe(401);
    expect(none.body).toBe('');
    expect(none.headers['www-authenticate']).toBe('Basic realm="jsonrpc"');
    const wrong = await rawHttp(plain.rpcport, { body: '{"method":"getinfo"}', auth: `${plain.user}:nope` });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toBe('');
    expect(wrong.ms).toBeGreaterThanOrEqual(240);
  });

  it('answers 405 for GET (checked before auth) with komodod text', async () => {
    const r = await rawHttp(plain.rpcport, { method: 'GET' });
    expect(r.status).toBe(405);
    expect(r.body).toBe('JSONRPC server handles only POST requests');
  });

  it('maps error codes to HTTP statuses: 404, 400, 500', async () => {
    const unknown = await rpcRaw(plain, { method: 'nosuchmethod', id: 1 });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error).toEqual({ code: -32601, message: 'Method not found' });
    const badParams = await rpcRaw(plain, { method: 'getinfo', params: { a: 1 }, id: 1 });
    expect(badParams.status).toBe(400);
    expect(JSON.parse(badParams.body).error.code).toBe(-32600);
    const notFound = await rpcRaw(plain, { method: 'getblock', params: ['ab'.repeat(32)], id: 1 });
    expect(notFound.status).toBe(500);
    expect(JSON.parse(notFound.body).error).toEqual({ code: -5, message: 'Block not found' });
    const parse = await rpcRaw(plain, '{not json');
    expect(parse.status).toBe(500);
    expect(JSON.parse(parse.body).error).toEqual({ code: -32700, message: 'Parse error' });
    const top = await rpcRaw(plain, '42');
    expect(JSON.parse(top.body).error.message).toBe('Top-level object parse error');
  });

  it('answers -1 with the help text on a wrong parameter count', async () => {
    const r = await rpcRaw(plain, { method: 'getblockhash', params: [], id: 1 });
    expect(r.status).toBe(500);
    const err = JSON.parse(r.body).error;
    expect(err.code).toBe(-1);
    expect(err.message).toMatch(/^getblockhash index\n/);
  });

  it('answers batches with 200 and one reply per call, errors included', async () => {
    const r = await rpcRaw(plain, [
      { method: 'getblockcount', id: 1 },
      { method: 'nosuch', id: 2 },
      { method: 'getblockhash', params: [99], id: 3 },
    ]);
    expect(r.status).toBe(200);
    const replies = JSON.parse(r.body);
    expect(replies.map((x: { id: number }) => x.id)).toEqual([1, 2, 3]);
    expect(replies[0].result).toBe(plain.chain.height);
    expect(replies[1].error.code).toBe(-32601);
    expect(replies[2].error).toEqual({ code: -8, message: 'Block height out of range' });
  });

  it('batch() in the client returns per-call results', async () => {
    const res = await rpc.batch([{ method: 'getblockcount' }, { method: 'getblockhash', params: [-1] }]);
    expect(res[0]).toEqual({ ok: true, result: plain.chain.height });
    expect(res[1]!.ok).toBe(false);
    expect((res[1] as { error: RpcError }).error.code).toBe(-8);
  });
});

describe('komodod RPC methods', () => {
  it('getinfo carries komodod fields, ports, signed magic and notarization fields', async () => {
    const info = await rpc.call<Record<string, unknown>>('getinfo');
    for (const k of [
      'version',
      'protocolversion',
      'KMDversion',
      'synced',
      'notarized',
      'prevMoMheight',
      'notarizedhash',
      'notarizedtxid',
      'notarizedtxid_height',
      'KMDnotarized_height',
      'notarized_confirms',
      'walletversion',
      'balance',
      'blocks',
      'longestchain',
      'tiptime',
      'difficulty',
      'keypoolsize',
      'paytxfee',
      'sapling',
      'connections',
      'relayfee',
      'errors',
      'name',
      'p2pport',
      'rpcport',
      'magic',
      'premine',
    ]) {
      expect(info, k).toHaveProperty(k);
    }
    expect(info['name']).toBe('DKTEST');
    expect(info['rpcport']).toBe(plain.rpcport);
    expect(info['p2pport']).toBe(plain.p2pport);
    expect(info['magic']).toBe(plain.chain.magic | 0);
    expect(info['blocks']).toBe(plain.chain.height);
    expect(info).not.toHaveProperty('pubkey');
    const text = (await rpcRaw(plain, { method: 'getinfo', id: 1 })).body;
    expect(text).toMatch(/"balance":\d+\.\d{8},/);
    expect(text).toMatch(/"relayfee":0\.00000100,/);
  });

  it('getblockchaininfo, getblockhash, getblock by hash and by height string, all verbosities', async () => {
    const bci = await rpc.call<Record<string, unknown>>('getblockchaininfo');
    expect(bci['bestblockhash']).toBe(plain.chain.tip.hash);
    const h1 = await rpc.call<string>('getblockhash', [1]);
    expect(h1).toMatch(/^[0-9a-f]{64}$/);
    const byHash = await rpc.call<Record<string, unknown>>('getblock', [h1]);
    const byHeight = await rpc.call<Record<string, unknown>>('getblock', ['1']);
    expect(byHeight).toEqual(byHash);
    expect(byHash['height']).toBe(1);
    expect(byHash['nextblockhash']).toBe(await rpc.call('getblockhash', [2]));
    const raw = await rpc.call<string>('getblock', [h1, 0]);
    expect(raw).toMatch(/^04000000/);
    const full = await rpc.call<{ tx: { txid: string; vin: { coinbase?: string }[] }[] }>('getblock', [
      '1',
      2,
    ]);
    expect(full.tx[0]!.vin[0]!.coinbase).toBeDefined();
    await expect(rpc.call('getblock', ['99999'])).rejects.toMatchObject({ code: -8 });
    await expect(rpc.call('getblock', [1])).rejects.toMatchObject({
      code: -1,
      message: expect.stringMatching(/not a string/),
    });
  });

  it('getrawtransaction 0/1 and decoderawtransaction agree', async () => {
    const block = await rpc.call<{ tx: string[] }>('getblock', ['2']);
    const txid = block.tx[0]!;
    const hex = await rpc.call<string>('getrawtransaction', [txid]);
    const obj = await rpc.call<Record<string, unknown>>('getrawtransaction', [txid, 1]);
    expect(obj['hex']).toBe(hex);
    expect(obj['txid']).toBe(txid);
    expect(obj['versiongroupid']).toBe('892f2085');
    expect(obj['height']).toBe(2);
    const dec = await rpc.call<Record<string, unknown>>('decoderawtransaction', [hex]);
    expect(dec['txid']).toBe(txid);
    await expect(rpc.call('getrawtransaction', ['00'.repeat(32)])).rejects.toMatchObject({ code: -5 });
  });

  it('getnetworkinfo, getmininginfo, help and setgenerate are labelled as the simulator', async () => {
    const ni = await rpc.call<Record<string, unknown>>('getnetworkinfo');
    expect(ni['subversion']).toMatch(/^\/dokomodo-devnet:/);
    expect(await rpc.call('setgenerate', [true, 2])).toBeNull();
    const mi = await rpc.call<Record<string, unknown>>('getmininginfo');
    expect(mi['generate']).toBe(true);
    expect(mi['genproclimit']).toBe(2);
    const help = await rpc.call<string>('help');
    expect(help).toMatch(/dokomodo devnet/);
    expect(help).toMatch(/listunspent/);
    expect(await rpc.call<string>('help', ['stop'])).toMatch(/^stop\n/);
  });

  it('addnode add/remove with komodod errors', async () => {
    expect(await rpc.call('addnode', ['198.51.100.10', 'add'])).toBeNull();
    await expect(rpc.call('addnode', ['198.51.100.10', 'add'])).rejects.toMatchObject({ code: -23 });
    expect(await rpc.call('addnode', ['198.51.100.10', 'remove'])).toBeNull();
    await expect(rpc.call('addnode', ['198.51.100.10', 'remove'])).rejects.toMatchObject({ code: -24 });
  });

  it('wallet: balance, getwalletinfo, getnewaddress, validateaddress, dumpprivkey, importprivkey', async () => {
    const bal = await rpc.call<number>('getbalance');
    expect(bal).toBeGreaterThan(0);
    const wi = await rpc.call<Record<string, unknown>>('getwalletinfo');
    expect(wi['balance']).toBe(bal);
    const addr = await rpc.call<string>('getnewaddress');
    const va = await rpc.call<Record<string, unknown>>('validateaddress', [addr]);
    expect(va).toMatchObject({
      isvalid: true,
      address: addr,
      ismine: true,
      isscript: false,
      iscompressed: true,
      account: '',
    });
    expect(await rpc.call('validateaddress', ['nonsense'])).toEqual({ isvalid: false });
    const wif = await rpc.call<string>('dumpprivkey', [addr]);
    expect(wif).toMatch(/^U/);
    await expect(rpc.call('dumpprivkey', [NOTARY_ADDR])).rejects.toMatchObject({ code: -4 });
    expect(await rpc.call('importprivkey', [WIF, '', false])).toBe(NOTARY_ADDR);
    expect(await rpc.call('importprivkey', [WIF, '', false])).toBe(NOTARY_ADDR);
    expect(await rpc.call('dumpprivkey', [NOTARY_ADDR])).toBe(WIF);
    expect((await rpc.call<Record<string, unknown>>('validateaddress', [NOTARY_ADDR]))['pubkey']).toBe(
      PUBKEY,
    );
    await expect(rpc.call('importprivkey', ['notawif'])).rejects.toMatchObject({ code: -5 });
    await expect(rpc.call('importprivkey', [WIF, '', true, 99999])).rejects.toMatchObject({ code: -4 });
  });

  it('sendtoaddress, sendmany, listunspent filters and listtransactions', async () => {
    const txid = await rpc.call<string>('sendtoaddress', [NOTARY_ADDR, 1.5]);
    const txid2 = await rpc.call<string>('sendmany', ['', { [NOTARY_ADDR]: 0.25 }]);
    expect(await rpc.call('getrawmempool')).toEqual([txid, txid2]);
    plain.chain.mine(1);
    const mine = await rpc.call<{ txid: string; amount: number; address: string; confirmations: number }[]>(
      'listunspent',
      [1, 9999999, [NOTARY_ADDR]],
    );
    expect(mine.map((u) => u.amount).sort()).toEqual([0.25, 1.5]);
    expect(mine.every((u) => u.address === NOTARY_ADDR)).toBe(true);
    expect(await rpc.call('listunspent', [2, 9999999, [NOTARY_ADDR]])).toEqual([]);
    await expect(rpc.call('listunspent', [1, 9999999, ['bad']])).rejects.toMatchObject({ code: -5 });
    await expect(rpc.call('listunspent', [1, 9999999, [NOTARY_ADDR, NOTARY_ADDR]])).rejects.toMatchObject({
      code: -8,
    });
    const list = await rpc.call<{ txid: string; category: string; amount: number }[]>('listtransactions', [
      '*',
      50,
    ]);
    const sends = list.filter((e) => e.txid === txid && e.category === 'send');
    const recv = list.filter((e) => e.txid === txid && e.category === 'receive');
    expect(sends.map((e) => e.amount)).toEqual([-1.5]);
    expect(recv.map((e) => e.amount)).toEqual([1.5]);
    expect(list.some((e) => e.category === 'generate')).toBe(true);
    const gt = await rpc.call<Record<string, unknown>>('gettransaction', [txid]);
    expect(gt['fee']).toBe(-0.0001);
    await expect(rpc.call('sendtoaddress', [NOTARY_ADDR, 1e6])).rejects.toMatchObject({ code: -6 });
    await expect(rpc.call('sendtoaddress', ['bad', 1])).rejects.toMatchObject({ code: -5 });
  });

  it('lockunspent hides outputs from listunspent; listlockunspent lists them; unlock all', async () => {
    const [u] = await rpc.call<{ txid: string; vout: number }[]>('listunspent', [1, 9999999, [NOTARY_ADDR]]);
    expect(await rpc.call('lockunspent', [false, [{ txid: u!.txid, vout: u!.vout }]])).toBe(true);
    expect(await rpc.call('listlockunspent')).toEqual([{ txid: u!.txid, vout: u!.vout }]);
    const after = await rpc.call<{ txid: string; vout: number }[]>('listunspent', [
      1,
      9999999,
      [NOTARY_ADDR],
    ]);
    expect(after.some((x) => x.txid === u!.txid && x.vout === u!.vout)).toBe(false);
    expect(await rpc.call('lockunspent', [true])).toBe(true);
    expect(await rpc.call('listlockunspent')).toEqual([]);
  });

  it('createrawtransaction → signrawtransaction → sendrawtransaction; resend returns the txid; double spend and mined tx rejected', async () => {
    const utxos = await rpc.call<{ txid: string; vout: number; amount: number }[]>('listunspent', [
      1,
      9999999,
      [NOTARY_ADDR],
    ]);
    const u = utxos.find((x) => x.amount === 1.5)!;
    const outputs = { [`21${PUBKEY}ac`]: 0.0001, [NOTARY_ADDR]: 1.4998 };
    const unsigned = await rpc.call<string>('createrawtransaction', [
      [{ txid: u.txid, vout: u.vout }],
      outputs,
    ]);
    expect(unsigned).toMatch(/^0400008085202f89/);
    const signed = await rpc.call<{ hex: string; complete: boolean }>('signrawtransaction', [unsigned]);
    expect(signed.complete).toBe(true);
    const txid = await rpc.call<string>('sendrawtransaction', [signed.hex]);
    expect(await rpc.call('sendrawtransaction', [signed.hex])).toBe(txid);
    const dec = await rpc.call<{ vout: { scriptPubKey: { type: string; hex: string } }[] }>(
      'decoderawtransaction',
      [signed.hex],
    );
    expect(dec.vout[0]!.scriptPubKey).toMatchObject({ type: 'pubkey', hex: `21${PUBKEY}ac` });
    // a second transaction spending the same output
    const other = await rpc.call<string>('createrawtransaction', [
      [{ txid: u.txid, vout: u.vout }],
      { [NOTARY_ADDR]: 1.49 },
    ]);
    const otherSigned = await rpc.call<{ hex: string }>('signrawtransaction', [other]);
    await expect(rpc.call('sendrawtransaction', [otherSigned.hex])).rejects.toMatchObject({
      code: -26,
      message: expect.stringMatching(/txn-mempool-conflict/),
    });
    plain.chain.mine(1);
    await expect(rpc.call('sendrawtransaction', [signed.hex])).rejects.toMatchObject({ code: -27 });
    await expect(rpc.call('sendrawtransaction', [otherSigned.hex])).rejects.toMatchObject({ code: -25 });
    await expect(rpc.call('sendrawtransaction', ['zz'])).rejects.toMatchObject({ code: -22 });
    // a signature that does not match is rejected
    const u2 = (
      await rpc.call<{ txid: string; vout: number; amount: number }[]>('listunspent', [
        1,
        9999999,
        [NOTARY_ADDR],
      ])
    )[0]!;
    const raw = await rpc.call<string>('createrawtransaction', [
      [{ txid: u2.txid, vout: u2.vout }],
      { [NOTARY_ADDR]: 0.0001 },
    ]);
    const s2 = await rpc.call<{ hex: string }>('signrawtransaction', [raw]);
    const tampered = s2.hex.replace(/10270000000000001976a914/, '11270000000000001976a914');
    expect(tampered).not.toBe(s2.hex);
    await expect(rpc.call('sendrawtransaction', [tampered])).rejects.toMatchObject({ code: -26 });
    // signing an input we cannot find
    const ghost = await rpc.call<string>('createrawtransaction', [
      [{ txid: 'cd'.repeat(32), vout: 0 }],
      { [NOTARY_ADDR]: 1 },
    ]);
    const gs = await rpc.call<{ complete: boolean; errors: { error: string }[] }>('signrawtransaction', [
      ghost,
    ]);
    expect(gs.complete).toBe(false);
    expect(gs.errors[0]!.error).toBe('Input not found or already spent');
  });

  it('calc_MoM, getNotarisationsForBlock and scanNotarisationsDB', async () => {
    const mom = await rpc.call<Record<string, unknown>>('calc_MoM', [2, 2]);
    expect(mom).toMatchObject({ coin: 'DKTEST', notarized_height: 2, MoMdepth: 2 });
    const ntz = plain.chain.notarize(2);
    plain.chain.mine(1);
    const height = plain.chain.height;
    const res = await rpc.call<Record<string, { txid: string }[]>>('getNotarisationsForBlock', [height]);
    expect(res['DKTEST']?.[0]?.txid).toBe(ntz.txid);
    const scan = await rpc.call<Record<string, unknown>>('scanNotarisationsDB', ['0', 'DKTEST']);
    expect(scan).toMatchObject({ height, hash: ntz.txid });
    expect(scan['opreturn']).toMatch(/^[0-9a-f]+$/);
    expect(await rpc.call('scanNotarisationsDB', ['0', 'OTHER'])).toBeNull();
  });
});

describe('notary chain: -pubkey, dPoW confirmations and notarizations', () => {
  let notary: RunningChain;
  let nrpc: RpcClient;
  let stopNotary: () => Promise<void>;

  beforeAll(async () => {
    const d = await smallDevnet(['DKNOTARY'], { pubkey: PUBKEY, chain: { notarizeEvery: 0 } });
    notary = d.devnet.chain('DKNOTARY');
    stopNotary = d.cleanup;
    nrpc = clientFor(notary);
  });
  afterAll(async () => {
    await nrpc.close();
    await stopNotary();
  });

  it('getinfo shows pubkey and notaryid; longestchain is 0 right after start', async () => {
    const info = await nrpc.call<Record<string, unknown>>('getinfo');
    expect(info['pubkey']).toBe(PUBKEY);
    expect(typeof info['notaryid']).toBe('number');
    expect(info['longestchain']).toBe(0);
    expect(info['synced']).toBe(false);
    expect(info['balance']).toBe(0);
  });

  it('coinbase pays P2PK to -pubkey; after import the notary splits, notarizes and sees send entries', async () => {
    notary.chain.mine(3);
    expect(await nrpc.call('importprivkey', [WIF, '', false])).toBe(NOTARY_ADDR);
    const cb = await nrpc.call<{ scriptPubKey: string; address: string }[]>('listunspent');
    expect(cb.length).toBeGreaterThan(0);
    expect(cb[0]).toMatchObject({ scriptPubKey: `21${PUBKEY}ac`, address: NOTARY_ADDR });
    // fund a P2PKH output, then split it into 0.0001 P2PK outputs with a hand-built tx
    await nrpc.call('sendtoaddress', [NOTARY_ADDR, 2]);
    notary.chain.mine(1);
    const p2pkh = (
      await nrpc.call<{ txid: string; vout: number; amount: number; scriptPubKey: string }[]>('listunspent')
    ).find((u) => u.amount === 2)!;
    const raw = await nrpc.call<string>('createrawtransaction', [
      [{ txid: p2pkh.txid, vout: p2pkh.vout }],
      { [`21${PUBKEY}ac`]: 0.0001, [NOTARY_ADDR]: 1.9998 },
    ]);
    const signed = await nrpc.call<{ hex: string }>('signrawtransaction', [raw]);
    await nrpc.call('sendrawtransaction', [signed.hex]);
    notary.chain.mine(8);
    const ntzUtxo = await nrpc.call<{ amount: number; scriptPubKey: string }[]>('listunspent');
    expect(ntzUtxo.filter((u) => u.amount === 0.0001 && u.scriptPubKey === `21${PUBKEY}ac`)).toHaveLength(1);

    const rec = notary.chain.notarize();
    expect(rec.participated).toBe(true);
    notary.chain.mine(1);
    const info = await nrpc.call<Record<string, unknown>>('getinfo');
    expect(info['notarized']).toBe(rec.height);
    expect(info['notarizedhash']).toBe(notary.chain.blockAt(rec.height)!.hash);
    expect(info['notarizedtxid']).toBe(rec.destTxid);
    expect(typeof info['notarizedtxid_height']).toBe('number');
    const left = await nrpc.call<{ amount: number; scriptPubKey: string }[]>('listunspent');
    expect(left.filter((u) => u.amount === 0.0001 && u.scriptPubKey === `21${PUBKEY}ac`)).toHaveLength(0);
    const lt = await nrpc.call<
      { address?: string; category: string; amount: number; fee: number; txid: string }[]
    >('listtransactions', ['', 777]);
    const ntzSends = lt.filter((e) => e.address === NTZ_ADDR);
    expect(ntzSends).toHaveLength(1);
    expect(ntzSends[0]).toMatchObject({ category: 'send', amount: -0.000988, fee: 0.000888, txid: rec.txid });
  });

  it('confirmations are dPoW-aware: 1 above the notarized height, rawconfirmations real', async () => {
    notary.chain.mine(2);
    const n = notary.chain.notarizedHeight;
    const utxos = await nrpc.call<{ confirmations: number; rawconfirmations: number }[]>('listunspent');
    const above = utxos.filter((u) => u.rawconfirmations < notary.chain.height - n + 1);
    const below = utxos.filter((u) => u.rawconfirmations > notary.chain.height - n + 1);
    expect(above.length).toBeGreaterThan(0);
    expect(above.every((u) => u.confirmations === 1)).toBe(true);
    expect(below.length).toBeGreaterThan(0);
    expect(below.every((u) => u.confirmations === u.rawconfirmations)).toBe(true);
    const blk = await nrpc.call<{ confirmations: number; rawconfirmations: number }>('getblock', [
      String(notary.chain.height),
    ]);
    expect(blk).toMatchObject({ confirmations: 1, rawconfirmations: 1 });
  });

  it('stop answers "<NAME> server stopping" and the chain goes away', async () => {
    expect(await nrpc.call('stop')).toBe('DKNOTARY server stopping');
    await notary.stopped;
    await expect(clientFor(notary).call('getinfo')).rejects.toMatchObject({ kind: 'transport' });
  });
});

describe('warm-up and failures', () => {
  it('answers -28 with komodod status text (help still works) and the client retries until ready', async () => {
    const d = await smallDevnet(['DKWARM'], {}, { warmupMs: 700 });
    try {
      const c = d.devnet.chain('DKWARM');
      const early = await rpcRaw(c, { method: 'getinfo', id: 1 });
      expect(early.status).toBe(500);
      const err = JSON.parse(early.body).error;
      expect(err.code).toBe(-28);
      expect(['RPC server started', 'Verifying wallet...']).toContain(err.message);
      expect(JSON.parse((await rpcRaw(c, { method: 'help', id: 1 })).body).error).toBeNull();
      expect(JSON.parse((await rpcRaw(c, { method: 'stop', id: 1 })).body).error.code).toBe(-28);
      const events: { kind: string; message: string }[] = [];
      const client = clientFor(c, {
        retry: { deadlineMs: 5000, initialDelayMs: 50, maxDelayMs: 200 },
        onEvent: (e) => events.push(e),
      });
      const [count, info] = await client.batch([{ method: 'getblockcount' }, { method: 'getinfo' }]);
      expect(count).toEqual({ ok: true, result: 0 });
      expect(info).toMatchObject({ ok: true, result: { name: 'DKWARM' } });
      expect(events.length).toBeGreaterThan(0);
      expect(events.every((e) => e.kind === 'warmup')).toBe(true);
      await client.close();
    } finally {
      await d.cleanup();
    }
  });

  it('a chain stopped during a run of calls is reported by its client; the others are fine', async () => {
    const d = await smallDevnet(['DKA', 'DKB', 'DKC']);
    try {
      const clients = d.devnet.chains.map((c) =>
        clientFor(c, { retry: { deadlineMs: 300, initialDelayMs: 50, maxDelayMs: 100 }, timeoutMs: 2000 }),
      );
      const victim = d.devnet.chain('DKB');
      const rounds = 5;
      const results: { chain: string; ok: number; errors: RpcError[] }[] = clients.map((c) => ({
        chain: c.label,
        ok: 0,
        errors: [],
      }));
      for (let r = 0; r < rounds; r++) {
        if (r === 2) await victim.stop();
        await Promise.all(
          clients.map(async (c, i) => {
            try {
              await c.batch([{ method: 'getblockcount' }, { method: 'getinfo' }]);
              results[i]!.ok++;
            } catch (e) {
              results[i]!.errors.push(e as RpcError);
            }
          }),
        );
      }
      expect(results.find((x) => x.chain === 'DKA')).toMatchObject({ ok: rounds, errors: [] });
      expect(results.find((x) => x.chain === 'DKC')).toMatchObject({ ok: rounds, errors: [] });
      const b = results.find((x) => x.chain === 'DKB')!;
      expect(b.ok).toBe(2);
      expect(b.errors).toHaveLength(3);
      expect(b.errors.every((e) => e.kind === 'transport' && e.label === 'DKB')).toBe(true);
      await Promise.all(clients.map((c) => c.close()));
    } finally {
      await d.cleanup();
    }
  });
});
