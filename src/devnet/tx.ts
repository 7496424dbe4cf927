/**
 * Transactions as komodod serialises them: version 1 (Bitcoin layout) and version 4 sapling
 * (overwintered, version group 892f2085, with an empty sapling tail: valueBalance 0, no shielded
 * spends/outputs, no joinsplits). txid = byte-reversed double SHA-256 of the serialisation, so
 * hex produced here decodes in any Bitcoin/Zcash tool and vice versa.
 *
 * Signatures are real secp256k1 ECDSA (DER, low-S, SIGHASH_ALL only) over the real sighash of
 * each format: the legacy Bitcoin sighash for v1 and ZIP-243 (BLAKE2b, sapling branch id
 * 0x76b809bb) for v4. They have been checked against this module's own verifier only, not
 * against komodod; treat byte-for-byte consensus equivalence as unproven.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { blake2b } from '@noble/hashes/blake2.js';
import {
  ByteReader,
  ByteWriter,
  dsha256,
  fromHex,
  hash160,
  rpcHexToHash,
  hashToRpcHex,
  toHex,
} from './bytes.ts';

export const SAPLING_VERSION_GROUP_ID = 0x892f2085;
export const OVERWINTER_VERSION_GROUP_ID = 0x03c48270;
export const SAPLING_BRANCH_ID = 0x76b809bb;
export const SIGHASH_ALL = 1;
export const NULL_TXID = '0'.repeat(64);

export interface TxIn {
  /** Previous txid in RPC (reversed) hex. */
  txid: string;
  vout: number;
  script: Uint8Array;
  sequence: number;
}

export interface TxOut {
  /** Satoshis. */
  value: number;
  script: Uint8Array;
}

export interface Tx {
  version: number;
  overwintered: boolean;
  versionGroupId: number;
  inputs: TxIn[];
  outputs: TxOut[];
  locktime: number;
  expiryHeight: number;
}

export function isCoinbase(tx: Tx): boolean {
  return tx.inputs.length === 1 && tx.inputs[0]!.txid === NULL_TXID && tx.inputs[0]!.vout === 0xffffffff;
}

/** A fresh transaction in the format the chain creates: v4 sapling, or v1 when asked. */
export function newTx(opts: { sapling?: boolean; locktime?: number; expiryHeight?: number } = {}): Tx {
  const sapling = opts.sapling ?? true;
  return {
    version: sapling ? 4 : 1,
    overwintered: sapling,
    versionGroupId: sapling ? SAPLING_VERSION_GROUP_ID : 0,
    inputs: [],
    outputs: [],
    locktime: opts.locktime ?? 0,
    expiryHeight: sapling ? (opts.expiryHeight ?? 0) : 0,
  };
}

export function serializeTx(tx: Tx): Uint8Array {
  const w = new ByteWriter();
  w.u32(((tx.overwintered ? 0x80000000 : 0) | tx.version) >>> 0);
  if (tx.overwintered) w.u32(tx.versionGroupId);
  w.varint(tx.inputs.length);
  for (const i of tx.inputs) w.bytes(rpcHexToHash(i.txid)).u32(i.vout).varbytes(i.script).u32(i.sequence);
  w.varint(tx.outputs.length);
  for (const o of tx.outputs) w.i64(o.value).varbytes(o.script);
  w.u32(tx.locktime);
  if (tx.overwintered) w.u32(tx.expiryHeight);
  if (tx.overwintered && tx.version >= 4) w.i64(0).varint(0).varint(0);
  if (tx.version >= 2) w.varint(0);
  return w.finish();
}

/** Parses a transaction; throws on anything this simulator does not model (shielded parts). */
export function parseTx(bytes: Uint8Array): Tx {
  const r = new ByteReader(bytes);
  const header = r.u32();
  const overwintered = header >>> 31 === 1;
  const version = header & 0x7fffffff;
  let versionGroupId = 0;
  if (overwintered) {
    versionGroupId = r.u32();
    const ok =
      (version === 3 && versionGroupId === OVERWINTER_VERSION_GROUP_ID) ||
      (version === 4 && versionGroupId === SAPLING_VERSION_GROUP_ID);
    if (!ok) throw new Error('unknown tx version group');
  } else if (version < 1 || version > 2) {
    throw new Error('unsupported tx version');
  }
  const nIn = r.varint();
  const inputs: TxIn[] = [];
  for (let k = 0; k < nIn; k++) {
    const txid = hashToRpcHex(r.bytes(32));
    const vout = r.u32();
    const script = r.varbytes();
    inputs.push({ txid, vout, script, sequence: r.u32() });
  }
  const nOut = r.varint();
  const outputs: TxOut[] = [];
  for (let k = 0; k < nOut; k++) {
    const value = r.i64();
    outputs.push({ value, script: r.varbytes() });
  }
  const locktime = r.u32();
  const expiryHeight = overwintered ? r.u32() : 0;
  if (overwintered && version >= 4) {
    if (r.i64() !== 0 || r.varint() !== 0 || r.varint() !== 0)
      throw new Error('shielded parts are not simulated');
  }
  if (version >= 2 && r.varint() !== 0) throw new Error('joinsplits are not simulated');
  if (r.remaining !== 0) throw new Error('trailing bytes');
  return { version, overwintered, versionGroupId, inputs, outputs, locktime, expiryHeight };
}

export function txidOf(raw: Uint8Array): string {
  return hashToRpcHex(dsha256(raw));
}

// ---- scripts --------------------------------------------------------------------------------

export function p2pkhScript(h160: Uint8Array): Uint8Array {
  const s = new Uint8Array(25);
  s.set([0x76, 0xa9, 0x14]);
  s.set(h160, 3);
  s[23] = 0x88;
  s[24] = 0xac;
  return s;
}

export function p2shScript(h160: Uint8Array): Uint8Array {
  const s = new Uint8Array(23);
  s.set([0xa9, 0x14]);
  s.set(h160, 2);
  s[22] = 0x87;
  return s;
}

export function p2pkScript(pubkey: Uint8Array): Uint8Array {
  const s = new Uint8Array(pubkey.length + 2);
  s[0] = pubkey.length;
  s.set(pubkey, 1);
  s[pubkey.length + 1] = 0xac;
  return s;
}

export function pushData(data: Uint8Array): Uint8Array {
  const w = new ByteWriter();
  if (data.length < 0x4c) w.u8(data.length);
  else if (data.length <= 0xff) w.u8(0x4c).u8(data.length);
  else
    w.u8(0x4d)
      .u8(data.length & 0xff)
      .u8(data.length >> 8);
  return w.bytes(data).finish();
}

export function opReturnScript(data: Uint8Array): Uint8Array {
  const push = pushData(data);
  const s = new Uint8Array(push.length + 1);
  s[0] = 0x6a;
  s.set(push, 1);
  return s;
}

export type ScriptType = 'pubkeyhash' | 'pubkey' | 'scripthash' | 'nulldata' | 'nonstandard';

export interface ScriptInfo {
  type: ScriptType;
  /** hash160 of the destination (pubkey hash, script hash, or hash160 of the P2PK pubkey). */
  hash160?: Uint8Array;
  pubkey?: Uint8Array;
}

export function classifyScript(s: Uint8Array): ScriptInfo {
  if (
    s.length === 25 &&
    s[0] === 0x76 &&
    s[1] === 0xa9 &&
    s[2] === 0x14 &&
    s[23] === 0x88 &&
    s[24] === 0xac
  ) {
    return { type: 'pubkeyhash', hash160: s.slice(3, 23) };
  }
  if (s.length === 23 && s[0] === 0xa9 && s[1] === 0x14 && s[22] === 0x87) {
    return { type: 'scripthash', hash160: s.slice(2, 22) };
  }
  if (
    ((s.length === 35 && s[0] === 33 && (s[1] === 2 || s[1] === 3)) ||
      (s.length === 67 && s[0] === 65 && s[1] === 4)) &&
    s[s.length - 1] === 0xac
  ) {
    const pubkey = s.slice(1, s.length - 1);
    return { type: 'pubkey', pubkey, hash160: hash160(pubkey) };
  }
  if (s.length >= 1 && s[0] === 0x6a) return { type: 'nulldata' };
  return { type: 'nonstandard' };
}

/** Splits a script into its pushes; undefined when it contains anything but data pushes. */
export function scriptPushes(s: Uint8Array): Uint8Array[] | undefined {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < s.length) {
    const op = s[i++]!;
    let n: number;
    if (op >= 1 && op < 0x4c) n = op;
    else if (op === 0x4c) n = s[i++] ?? -1;
    else if (op === 0x4d) {
      n = (s[i] ?? 0) | ((s[i + 1] ?? 0) << 8);
      i += 2;
    } else if (op === 0) n = 0;
    else return undefined;
    if (n < 0 || i + n > s.length) return undefined;
    out.push(s.slice(i, i + n));
    i += n;
  }
  return out;
}

const OPNAMES: Record<number, string> = {
  0: '0',
  79: '-1',
  81: '1',
  82: '2',
  83: '3',
  106: 'OP_RETURN',
  118: 'OP_DUP',
  135: 'OP_EQUAL',
  136: 'OP_EQUALVERIFY',
  169: 'OP_HASH160',
  172: 'OP_CHECKSIG',
  174: 'OP_CHECKMULTISIG',
};

/** komodod's ScriptToAsmStr; with `sigs` a trailing sighash byte of a signature push prints as [ALL]. */
export function scriptAsm(s: Uint8Array, sigs = false): string {
  const parts: string[] = [];
  let i = 0;
  while (i < s.length) {
    const op = s[i++]!;
    let n = -1;
    if (op >= 1 && op < 0x4c) n = op;
    else if (op === 0x4c) n = s[i++] ?? 0;
    else if (op === 0x4d) {
      n = (s[i] ?? 0) | ((s[i + 1] ?? 0) << 8);
      i += 2;
    }
    if (n >= 0) {
      if (i + n > s.length) {
        parts.push('[error]');
        break;
      }
      const data = s.subarray(i, i + n);
      i += n;
      if (sigs && n > 8 && data[0] === 0x30 && data[n - 1] === SIGHASH_ALL)
        parts.push(`${toHex(data.subarray(0, n - 1))}[ALL]`);
      else parts.push(toHex(data));
    } else {
      parts.push(OPNAMES[op] ?? `OP_UNKNOWN_${op.toString(16)}`);
    }
  }
  return parts.join(' ');
}

// ---- sighash and signatures ----------------------------------------------------------------

const ZERO32 = new Uint8Array(32);
const enc = new TextEncoder();

function blake(personal: string, data: Uint8Array): Uint8Array {
  return blake2b(data, { dkLen: 32, personalization: enc.encode(personal) });
}

/**
 * The message hash an input's signature commits to. `amount` (satoshis of the spent output) is
 * required by ZIP-243 and ignored by the legacy algorithm.
 */
export function sighash(tx: Tx, index: number, scriptCode: Uint8Array, amount: number): Uint8Array {
  if (tx.overwintered && tx.version >= 4) return sighashZip243(tx, index, scriptCode, amount);
  if (tx.overwintered) throw new Error('overwinter (v3) signing is not simulated');
  const copy: Tx = {
    ...tx,
    inputs: tx.inputs.map((i, k) => ({ ...i, script: k === index ? scriptCode : new Uint8Array(0) })),
  };
  const w = new ByteWriter().bytes(serializeTx(copy)).u32(SIGHASH_ALL);
  return dsha256(w.finish());
}

function sighashZip243(tx: Tx, index: number, scriptCode: Uint8Array, amount: number): Uint8Array {
  const prev = new ByteWriter();
  const seq = new ByteWriter();
  for (const i of tx.inputs) {
    prev.bytes(rpcHexToHash(i.txid)).u32(i.vout);
    seq.u32(i.sequence);
  }
  const outs = new ByteWriter();
  for (const o of tx.outputs) outs.i64(o.value).varbytes(o.script);
  const input = tx.inputs[index]!;
  const w = new ByteWriter()
    .u32((0x80000000 | tx.version) >>> 0)
    .u32(tx.versionGroupId)
    .bytes(blake('ZcashPrevoutHash', prev.finish()))
    .bytes(blake('ZcashSequencHash', seq.finish()))
    .bytes(blake('ZcashOutputsHash', outs.finish()))
    .bytes(ZERO32)
    .bytes(ZERO32)
    .bytes(ZERO32)
    .u32(tx.locktime)
    .u32(tx.expiryHeight)
    .i64(0)
    .u32(SIGHASH_ALL)
    .bytes(rpcHexToHash(input.txid))
    .u32(input.vout)
    .varbytes(scriptCode)
    .i64(amount)
    .u32(input.sequence);
  const personal = new Uint8Array(16);
  personal.set(enc.encode('ZcashSigHash'));
  new DataView(personal.buffer).setUint32(12, SAPLING_BRANCH_ID, true);
  return blake2b(w.finish(), { dkLen: 32, personalization: personal });
}

/** DER signature plus the SIGHASH_ALL byte, as it goes into a scriptSig. */
export function signHash(hash: Uint8Array, privkey: Uint8Array): Uint8Array {
  const der = secp256k1.sign(hash, privkey, { prehash: false, format: 'der', lowS: true });
  const out = new Uint8Array(der.length + 1);
  out.set(der);
  out[der.length] = SIGHASH_ALL;
  return out;
}

export function verifyHashSig(sigWithType: Uint8Array, hash: Uint8Array, pubkey: Uint8Array): boolean {
  if (sigWithType.length < 9 || sigWithType[sigWithType.length - 1] !== SIGHASH_ALL) return false;
  try {
    return secp256k1.verify(sigWithType.subarray(0, sigWithType.length - 1), hash, pubkey, {
      prehash: false,
      format: 'der',
      lowS: true,
    });
  } catch {
    return false;
  }
}

export interface PrevOut {
  script: Uint8Array;
  value: number;
}

/**
 * Signs input `index` spending a P2PKH or P2PK output with `privkey`/`pubkey`. Returns false when
 * the script type cannot be signed with that key.
 */
export function signInput(
  tx: Tx,
  index: number,
  prev: PrevOut,
  privkey: Uint8Array,
  pubkey: Uint8Array,
): boolean {
  const info = classifyScript(prev.script);
  const h = sighash(tx, index, prev.script, prev.value);
  const input = tx.inputs[index]!;
  if (info.type === 'pubkeyhash') {
    input.script = new Uint8Array([...pushData(signHash(h, privkey)), ...pushData(pubkey)]);
    return true;
  }
  if (info.type === 'pubkey') {
    input.script = pushData(signHash(h, privkey));
    return true;
  }
  return false;
}

/** Checks an input's scriptSig against the output it spends (P2PKH and P2PK only). */
export function verifyInput(tx: Tx, index: number, prev: PrevOut): boolean {
  const info = classifyScript(prev.script);
  const pushes = scriptPushes(tx.inputs[index]!.script);
  if (!pushes) return false;
  if (info.type === 'pubkeyhash') {
    if (pushes.length !== 2) return false;
    const [sig, pub] = pushes as [Uint8Array, Uint8Array];
    if (toHex(hash160(pub)) !== toHex(info.hash160!)) return false;
    return verifyHashSig(sig, sighash(tx, index, prev.script, prev.value), pub);
  }
  if (info.type === 'pubkey') {
    if (pushes.length !== 1) return false;
    return verifyHashSig(pushes[0]!, sighash(tx, index, prev.script, prev.value), info.pubkey!);
  }
  return false;
}

export function decodeTxHex(hex: string): { tx: Tx; raw: Uint8Array; txid: string } {
  const raw = fromHex(hex);
  const tx = parseTx(raw);
  return { tx, raw, txid: txidOf(raw) };
}
