/**
 * The komodod simulator against what the real Iguana relies on (shared/tools/iguana README, its
 * calls): replies framed with Content-Length as komodod sends them, `MoMoMdata`, locks that stay
 * until unlocked, and `getinfo.notarized*` that move when a back-notarization for the chain is
 * mined — here one built by hand, as a real Iguana builds and broadcasts it — not on a timer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, rpcHexToHash, toHex } from '../../src/devnet/bytes.ts';
import { CRYPTO777_PUBKEY, keyFromPassphrase, pubkeyAddress, wifOf } from '../../src/devnet/keys.ts';
import type { RunningChain } from '../../src/devnet/launch.ts';
import { newTx, opReturnScript, p2pkScript, serializeTx, signInput } from '../../src/devnet/tx.ts';
import type { RpcClient } from '../../src/operator/rpc/client.ts';
import { clientFor, rawHttp, smallDevnet } from './helpers.ts';

const KEY = keyFromPassphrase('devnet fidelity test passphrase — never for real coins');
const PUBKEY = toHex(KEY.pubkey);
const ADDR = pubkeyAddress(KEY.pubkey, 60);

let chain: RunningChain;
let rpc: RpcClient;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  // No simulated network rounds: every notarization here is one the test broadcasts.
  const d = await smallDevnet(['DKFID'], { pubkey: PUBKEY, chain: { notarizeEvery: 0 } });
  chain = d.devnet.chain('DKFID');
  cleanup = d.cleanup;
  rpc = clientFor(chain);
  chain.chain.mine(12);
  await rpc.call('importprivkey', [wifOf(KEY, 188), '', false]);
});
afterAll(async () => {
  await rpc.close();
  await cleanup();
});

/** A back-notarization as Iguana makes it: one notary input, vout 0 to crypto777, the OP_RETURN. */
function backNotarization(utxo: { txid: string; vout: number; value: number }, height: number): string {
  const block = chain.chain.blockAt(height)!;
  const u32 = new Uint8Array(4);
  new DataView(u32.buffer).setUint32(0, height, true);
  const destTxid = 'ab'.repeat(32);
  const opret = new Uint8Array([
    ...rpcHexToHash(block.hash),
    ...u32,
    ...rpcHexToHash(destTxid),
    ...new TextEncoder().encode('DKFID\0'),
    ...new Uint8Array(32),
    ...u32,
  ]);
  const tx = newTx({ sapling: true });
  tx.inputs.push({ txid: utxo.txid, vout: utxo.vout, script: new Uint8Array(0), sequence: 0xffffffff });
  tx.outputs.push({ value: utxo.value - 10_000, script: p2pkScript(fromHex(CRYPTO777_PUBKEY)) });
  tx.outputs.push({ value: 0, script: opReturnScript(opret) });
  signInput(tx, 0, { script: p2pkScript(KEY.pubkey), value: utxo.value }, KEY.privkey, KEY.pubkey);
  return toHex(serializeTx(tx));
}

describe('komodod simulator fidelity', () => {
  it('replies carry Content-Length (komodod never sends chunked replies)', async () => {
    const r = await rawHttp(chain.rpcport, {
      auth: `${chain.user}:${chain.password}`,
      body: JSON.stringify({ id: 'jl777', method: 'getblockcount', params: [] }),
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe(String(Buffer.byteLength(r.body)));
    expect(r.headers['transfer-encoding']).toBeUndefined();
  });

  it('MoMoMdata answers as komodod does before 7 notarizations of the chain: a zero MoMoM', async () => {
    const r = await rpc.call<Record<string, unknown>>('MoMoMdata', ['DKOTHER', '10', '2']);
    expect(r).toEqual({
      coin: 'DKOTHER',
      kmdheight: 5,
      ccid: 2,
      MoMs: [],
      notarization_hash: '0'.repeat(64),
      MoMoM: '0'.repeat(64),
      data: '0'.repeat(72),
    });
  });

  it('a lock stays until unlocked, even once the output is spent', async () => {
    const [u] = await rpc.call<Array<{ txid: string; vout: number }>>('listunspent', [1, 9999999, [ADDR]]);
    expect(await rpc.call('lockunspent', [false, [{ txid: u!.txid, vout: u!.vout }]])).toBe(true);
    await rpc.call('lockunspent', [true, [{ txid: u!.txid, vout: u!.vout }]]);
    expect(await rpc.call('listlockunspent')).toEqual([]);
    // Lock an output, spend it with a raw transaction (as Iguana does), mine: still listed.
    const coinbase = (
      await rpc.call<Array<{ txid: string; vout: number; amount: number; scriptPubKey: string }>>(
        'listunspent',
      )
    ).find((x) => x.scriptPubKey === `21${PUBKEY}ac`)!;
    await rpc.call('lockunspent', [false, [{ txid: coinbase.txid, vout: coinbase.vout }]]);
    const raw = await rpc.call<string>('createrawtransaction', [
      [{ txid: coinbase.txid, vout: coinbase.vout }],
      { [ADDR]: Math.round((coinbase.amount - 0.0001) * 1e8) / 1e8 },
    ]);
    const signed = await rpc.call<{ hex: string }>('signrawtransaction', [raw]);
    await rpc.call('sendrawtransaction', [signed.hex]);
    chain.chain.mine(1);
    expect(await rpc.call('listlockunspent')).toEqual([{ txid: coinbase.txid, vout: coinbase.vout }]);
    expect(await rpc.call('lockunspent', [true])).toBe(true);
    expect(await rpc.call('listlockunspent')).toEqual([]);
  });

  it('notarized* move when a back-notarization is mined, not before, and not by themselves', async () => {
    const before = await rpc.call<Record<string, unknown>>('getinfo');
    expect(before['notarized']).toBe(0);
    chain.chain.mine(5);
    expect((await rpc.call<Record<string, unknown>>('getinfo'))['notarized']).toBe(0);
    const coinbase = (
      await rpc.call<Array<{ txid: string; vout: number; amount: number; scriptPubKey: string }>>(
        'listunspent',
      )
    ).find((x) => x.scriptPubKey === `21${PUBKEY}ac`)!;
    const height = chain.chain.height - 5;
    const txid = await rpc.call<string>('sendrawtransaction', [
      backNotarization(
        { txid: coinbase.txid, vout: coinbase.vout, value: Math.round(coinbase.amount * 1e8) },
        height,
      ),
    ]);
    // In the mempool: komodod has not seen it in a block yet.
    expect((await rpc.call<Record<string, unknown>>('getinfo'))['notarized']).toBe(0);
    chain.chain.mine(1);
    const info = await rpc.call<Record<string, unknown>>('getinfo');
    expect(info).toMatchObject({
      notarized: height,
      notarizedhash: chain.chain.blockAt(height)!.hash,
      notarizedtxid: 'ab'.repeat(32),
    });
    const last = chain.chain.notarizations[chain.chain.notarizations.length - 1]!;
    expect(last).toMatchObject({ txid, height, participated: true });
  });
});
