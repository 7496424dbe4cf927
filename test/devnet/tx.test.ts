import { describe, expect, it } from 'vitest';
import { formatSats, parseAmount, stringifyRpc, amount } from '../../src/devnet/amount.ts';
import { fromHex, toHex } from '../../src/devnet/bytes.ts';
import { merkleRootOf } from '../../src/devnet/chain.ts';
import { keyFromPassphrase } from '../../src/devnet/keys.ts';
import {
  SAPLING_VERSION_GROUP_ID,
  classifyScript,
  newTx,
  p2pkScript,
  p2pkhScript,
  parseTx,
  scriptAsm,
  serializeTx,
  sighash,
  signInput,
  txidOf,
  verifyInput,
} from '../../src/devnet/tx.ts';
import { hash160 } from '../../src/devnet/bytes.ts';

const key = keyFromPassphrase('myverysecretandstrongpassphrase_noneabletobrute');
const PREV = 'aa'.repeat(32);

describe('transactions', () => {
  it('serializes a v4 sapling tx with version group 892f2085 and an empty sapling tail', () => {
    const tx = newTx({ sapling: true, expiryHeight: 123 });
    tx.inputs.push({ txid: PREV, vout: 1, script: new Uint8Array(0), sequence: 0xffffffff });
    tx.outputs.push({ value: 10_000, script: p2pkScript(key.pubkey) });
    const hex = toHex(serializeTx(tx));
    expect(hex.startsWith('04000080' + '85202f89')).toBe(true);
    // locktime 0, expiry 123, valueBalance 0, 0 spends, 0 outputs, 0 joinsplits
    expect(hex.endsWith('00000000' + '7b000000' + '0000000000000000' + '00' + '00' + '00')).toBe(true);
    const back = parseTx(fromHex(hex));
    expect(back.versionGroupId).toBe(SAPLING_VERSION_GROUP_ID);
    expect(back.expiryHeight).toBe(123);
    expect(toHex(serializeTx(back))).toBe(hex);
  });

  it('serializes v1 like Bitcoin and computes txid as reversed double SHA-256', () => {
    const tx = newTx({ sapling: false });
    tx.inputs.push({ txid: PREV, vout: 0, script: new Uint8Array(0), sequence: 0xffffffff });
    tx.outputs.push({ value: 5000, script: p2pkhScript(hash160(key.pubkey)) });
    const raw = serializeTx(tx);
    expect(toHex(raw).slice(0, 10)).toBe('0100000001');
    expect(toHex(raw).slice(10, 74)).toBe(PREV); // symmetric, so byte order is not visible here
    expect(txidOf(raw)).toMatch(/^[0-9a-f]{64}$/);
    expect(parseTx(raw).version).toBe(1);
  });

  it('rejects shielded parts and trailing bytes', () => {
    const tx = newTx({ sapling: true });
    tx.outputs.push({ value: 1, script: new Uint8Array([0x51]) });
    const hex = toHex(serializeTx(tx));
    expect(() => parseTx(fromHex(`${hex}00`))).toThrow();
    expect(() => parseTx(fromHex(hex.replace(/000000$/, '010000')))).toThrow();
  });

  for (const sapling of [true, false]) {
    it(`signs and verifies P2PKH and P2PK inputs (${sapling ? 'ZIP-243' : 'legacy'} sighash)`, () => {
      const tx = newTx({ sapling });
      tx.inputs.push({ txid: PREV, vout: 0, script: new Uint8Array(0), sequence: 0xffffffff });
      tx.inputs.push({ txid: 'bb'.repeat(32), vout: 3, script: new Uint8Array(0), sequence: 0xffffffff });
      tx.outputs.push({ value: 1000, script: p2pkhScript(hash160(key.pubkey)) });
      const prevA = { script: p2pkhScript(hash160(key.pubkey)), value: 5000 };
      const prevB = { script: p2pkScript(key.pubkey), value: 10_000 };
      expect(signInput(tx, 0, prevA, key.privkey, key.pubkey)).toBe(true);
      expect(signInput(tx, 1, prevB, key.privkey, key.pubkey)).toBe(true);
      expect(verifyInput(tx, 0, prevA)).toBe(true);
      expect(verifyInput(tx, 1, prevB)).toBe(true);
      expect(scriptAsm(tx.inputs[0]!.script, true)).toMatch(/^30[0-9a-f]+\[ALL\] 02a854251a/);
      // the signature commits to the outputs and (v4) to the amount
      tx.outputs[0]!.value = 999;
      expect(verifyInput(tx, 0, prevA)).toBe(false);
      tx.outputs[0]!.value = 1000;
      expect(verifyInput(tx, 1, { ...prevB, value: sapling ? 10_001 : 10_000 })).toBe(!sapling);
      expect(sighash(tx, 0, prevA.script, 5000)).toHaveLength(32);
    });
  }

  it('classifies scripts', () => {
    expect(classifyScript(p2pkScript(key.pubkey)).type).toBe('pubkey');
    expect(classifyScript(p2pkhScript(new Uint8Array(20))).type).toBe('pubkeyhash');
    expect(classifyScript(fromHex('6a0401020304')).type).toBe('nulldata');
    expect(classifyScript(fromHex('51')).type).toBe('nonstandard');
    expect(scriptAsm(p2pkhScript(new Uint8Array(20)))).toBe(
      `OP_DUP OP_HASH160 ${'00'.repeat(20)} OP_EQUALVERIFY OP_CHECKSIG`,
    );
  });

  it('computes Bitcoin merkle roots (odd counts duplicate the last)', () => {
    const a = '11'.repeat(32);
    expect(merkleRootOf([a])).toBe(a);
    expect(merkleRootOf([a, a, a])).toBe(merkleRootOf([a, a, a, a]));
  });
});

describe('amounts', () => {
  it('prints exactly 8 decimals like komodod', () => {
    expect(formatSats(10_000)).toBe('0.00010000');
    expect(formatSats(-98_800)).toBe('-0.00098800');
    expect(formatSats(1_234_560_000)).toBe('12.34560000');
    expect(stringifyRpc({ a: amount(10_000), b: [amount(0)], c: 'x' })).toBe(
      '{"a":0.00010000,"b":[0.00000000],"c":"x"}',
    );
  });

  it('parses amounts like AmountFromValue', () => {
    expect(parseAmount(0.0001)).toEqual({ sats: 10_000 });
    expect(parseAmount('12.3456')).toEqual({ sats: 1_234_560_000 });
    expect(parseAmount(1e-8)).toEqual({ sats: 1 });
    expect(parseAmount('0.123456789')).toEqual({ error: 'Invalid amount' });
    expect(parseAmount(-1)).toEqual({ error: 'Amount out of range' });
    expect(parseAmount(true)).toEqual({ error: 'Amount is not a number or string' });
  });
});
