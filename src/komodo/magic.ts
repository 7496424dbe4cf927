/**
 * Network magic and default ports of an assetchain (reference §1.5): the parameter buffer komodod
 * hashes, the CRC-32 over supply and name, and the port formulas.
 */
import { crc32 } from 'node:zlib';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  DEFAULT_SUPPLY,
  MAX_NAME_BYTES,
  type NormalizedParams,
  normalizeParams,
  parseU64,
  type Rules,
} from './params.ts';

export const KMD_MAGIC = 0x8de4eef9;
export const KMD_P2P_PORT = 7770;
export const KMD_RPC_PORT = 7771;

/** What a chain is on the network. */
export interface ChainIdentity {
  /** Network magic as an unsigned 32-bit integer (komodod prints it as `%08x`). */
  magic: number;
  /** The 4 message-start bytes (little-endian magic) as 8 hex digits: iguana's `netmagic`. */
  netmagic: string;
  /** Default p2p port (komodod uses `-port` instead when given). */
  p2p: number;
  /** Default rpc port, p2p + 1: what komodod writes into NAME.conf on first start. */
  rpc: number;
  /** The hashed parameter buffer as hex; '' when the chain has none. */
  extraHex: string;
}

/** Writes komodod's parameter buffer; one instance is reused so a call allocates only its result. */
class BufferWriter {
  buf = new Uint8Array(512);
  view = new DataView(this.buf.buffer);
  len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    bigger.set(this.buf.subarray(0, this.len));
    this.buf = bigger;
    this.view = new DataView(bigger.buffer);
  }
  reset(): void {
    this.len = 0;
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.len++] = v & 0xff;
  }
  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.len, v >>> 0, true);
    this.len += 4;
  }
  u64(v: bigint): void {
    this.room(8);
    this.view.setBigUint64(this.len, BigInt.asUintN(64, v), true);
    this.len += 8;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  written(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

const writer = new BufferWriter();

function needsBuffer(p: NormalizedParams): boolean {
  return (
    p.end.at(0) !== 0n ||
    p.reward.at(0) !== 0n ||
    p.halving.at(0) !== 0n ||
    p.decay[0] !== 0n ||
    p.commission !== 0n ||
    p.isPublic !== 0 ||
    p.isPrivate !== 0 ||
    p.txpow !== 0 ||
    p.founders !== 0 ||
    p.hasScript ||
    p.importName.length > 0 ||
    p.pubkey33[0] !== 0 ||
    p.timelockGte !== 0xffffffffffffffffn ||
    p.algo !== 0 ||
    p.verusPos !== 0 ||
    p.lastEra > 0 ||
    p.beam !== 0 ||
    p.coda !== 0 ||
    p.marmara !== 0 ||
    p.ccCount > 0 ||
    p.cclib.length > 0 ||
    p.foundersReward !== 0n ||
    p.notaryPay.at(0) !== 0n ||
    p.blocktime !== 60 ||
    p.cbopret !== 0n ||
    p.mineropret.length > 0 ||
    (p.nk[0] !== 0n && p.nk[1] !== 0n) ||
    p.snapshot !== 0 ||
    p.earlyTxidContract !== 0 ||
    p.cbMaturity !== 0 ||
    p.adaptivePow !== 0
  );
}

const utf8 = new TextEncoder();

/** Fills the shared writer; returns false when komodod would not build a buffer at all. */
function writeExtra(p: NormalizedParams): boolean {
  if (!needsBuffer(p)) return false;
  const w = writer;
  w.reset();
  w.bytes(p.pubkey33);
  const withNotaryPay = p.notaryPay.at(0) !== 0n;
  for (let i = 0; i <= p.lastEra; i++) {
    w.u64(p.end.at(i));
    w.u64(p.reward.at(i));
    w.u64(p.halving.at(i));
    w.u64(p.decay[i]!);
    if (withNotaryPay) w.u64(p.notaryPay.at(i));
  }
  if (p.lastEra > 0) w.u64(BigInt(p.lastEra));
  if (p.timelockGte !== 0xffffffffffffffffn) {
    w.u64(p.timelockGte);
    w.u64(p.timeUnlockFrom);
    w.u64(p.timeUnlockTo);
  }
  if (p.algo !== 0) w.u32(p.algo);
  if (p.verusPos !== 0) w.u32(p.verusPos);
  // Bits are OR-ed as komodod does, so a large commission can overlap the public/private bits.
  w.u64(
    p.commission |
      (BigInt(p.staked & 0xff) << 32n) |
      (BigInt(p.cc & 0xffff) << 40n) |
      (p.isPublic !== 0 ? 0x80n : 0n) |
      (p.isPrivate !== 0 ? 0x40n : 0n) |
      BigInt(p.txpow),
  );
  if (p.founders !== 0) {
    w.u8(1);
    if (p.founders > 1) w.u32(p.founders);
    if (p.foundersReward !== 0n) w.u64(p.foundersReward);
  }
  if (p.hasScript) w.bytes(p.script);
  if (p.importName.length > 0) w.bytes(p.importName);
  if (p.beam !== 0) w.u8(0x62);
  if (p.coda !== 0) w.u8(0x63);
  if (p.marmara !== 0) w.u8(p.marmara);
  if (p.disableBits && p.ccCount > 0) w.bytes(p.disableBits);
  if (p.cclib.length > 1) w.bytes(p.cclib);
  if (p.blocktime !== 60) w.u32(p.blocktime);
  if (p.mineropret.length > 0) w.bytes(p.mineropret);
  if (p.cbopret !== 0n) {
    w.u64(p.cbopret);
    for (const s of p.prices) w.bytes(utf8.encode(s));
    for (const s of p.stocks) w.bytes(utf8.encode(s));
  }
  if (p.nk[0] !== 0n && p.nk[1] !== 0n) {
    w.u64(p.nk[0]);
    w.u64(p.nk[1]);
  }
  if (p.snapshot !== 0) w.u32(p.snapshot);
  if (p.earlyTxidContract !== 0) w.u32(p.earlyTxidContract);
  if (p.cbMaturity !== 0) w.u32(p.cbMaturity);
  if (p.adaptivePow !== 0) w.u8(p.adaptivePow);
  return true;
}

/**
 * The parameter buffer komodod hashes into the magic (reference §1.5), or null when the parameters
 * create none. `params` are the -ac_* values as strings, keyed without the dash.
 */
export function buildExtra(
  params: Readonly<Record<string, string>>,
  rules: Rules = 'komodo',
): Uint8Array | null {
  return writeExtra(normalizeParams(params, rules)) ? writer.written().slice() : null;
}

/** The message-start bytes of `magic` (little-endian) as hex, the form iguana calls `netmagic`. */
export function toNetmagic(magic: number): string {
  const m = magic >>> 0;
  return HEX2[m & 0xff]! + HEX2[(m >>> 8) & 0xff]! + HEX2[(m >>> 16) & 0xff]! + HEX2[m >>> 24]!;
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** komodod's default p2p port for a magic; `hasExtra` = the chain has a parameter buffer. */
export function defaultP2PPort(magic: number, hasExtra: boolean): number {
  if (magic >>> 0 === KMD_MAGIC) return KMD_P2P_PORT;
  return hasExtra ? 16000 + ((magic >>> 0) % 49500) : 8000 + ((magic >>> 0) % 7777);
}

const supplyBytes = new Uint8Array(8);
const supplyView = new DataView(supplyBytes.buffer);

function nameBytes(name: string): string | Uint8Array {
  // Plain ASCII names up to the limit go to crc32 as strings: no encoding step needed.
  if (name.length <= MAX_NAME_BYTES) {
    let ascii = true;
    for (let i = 0; i < name.length && ascii; i++) ascii = name.charCodeAt(i) < 0x80;
    if (ascii) return name;
  }
  const b = utf8.encode(name);
  return b.length > MAX_NAME_BYTES ? b.subarray(0, MAX_NAME_BYTES) : b;
}

interface Seed {
  hasExtra: boolean;
  seed: number;
  extraHex: string;
}

// Everything but the supply and the name goes through the buffer, so chains that differ only in
// those (fleets, test nets) share one SHA-256. Bounded; entries are immutable primitives.
const seedCache = new Map<string, Seed>();
const SEED_CACHE_MAX = 256;

function bufferSeed(params: Readonly<Record<string, string>>, rules: Rules): Seed {
  // Length-prefixed so no pair of different parameter sets can share a key.
  let key = rules;
  for (const k of Object.keys(params)) {
    if (k === 'ac_supply') continue;
    const v = params[k]!;
    key += `|${k.length}:${k}${v.length}:${v}`;
  }
  const hit = seedCache.get(key);
  if (hit) return hit;
  let seed: Seed = { hasExtra: false, seed: 0, extraHex: '' };
  if (writeExtra(normalizeParams(params, rules))) {
    const extra = writer.written();
    const h = sha256(extra);
    seed = {
      hasExtra: true,
      seed: (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0,
      extraHex: Buffer.from(extra.buffer, extra.byteOffset, extra.length).toString('hex'),
    };
  }
  if (seedCache.size >= SEED_CACHE_MAX) seedCache.clear();
  seedCache.set(key, seed);
  return seed;
}

/**
 * Magic and default ports of a chain. Name 'KMD' (or '') is KMD itself: the constants 7770/7771.
 * Otherwise `magic = CRC32(seed, LE64(supply) || name)` with `seed` the first 4 bytes of
 * SHA-256(parameter buffer) read little-endian (0 without a buffer). The name is used byte for
 * byte, case-sensitively, truncated to 64 bytes like komodod does.
 */
export function chainIdentity(
  name: string,
  params: Readonly<Record<string, string>>,
  rules: Rules = 'komodo',
): ChainIdentity {
  if (name === '' || name === 'KMD') {
    return {
      magic: KMD_MAGIC,
      netmagic: toNetmagic(KMD_MAGIC),
      p2p: KMD_P2P_PORT,
      rpc: KMD_RPC_PORT,
      extraHex: '',
    };
  }
  const seed = bufferSeed(params, rules);
  const supply = params['ac_supply'];
  supplyView.setBigUint64(0, supply === undefined ? DEFAULT_SUPPLY : parseU64(supply), true);
  const magic = crc32(nameBytes(name), crc32(supplyBytes, seed.seed)) >>> 0;
  const p2p = defaultP2PPort(magic, seed.hasExtra);
  return { magic, netmagic: toNetmagic(magic), p2p, rpc: p2p + 1, extraHex: seed.extraHex };
}
