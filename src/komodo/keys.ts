/**
 * Notary keys (reference §4): passphrase → private key as iguana and komodod derive it, public keys,
 * addresses and WIFs for any coin's versions. Messages never contain the input: it may be a secret.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { base58, createBase58check } from '@scure/base';
import { DokomodoError } from '../core/errors.ts';
import type { CoinInfo } from './coins.ts';

const b58check = createBase58check(sha256);

/** Base58 versions of a coin. `pubtype`/`p2shtype` above 255 are two-byte prefixes. */
export interface Versions {
  pubtype: number;
  p2shtype?: number;
  wiftype: number;
}

/** A key could not be decoded or used. `code`: bad-wif, bad-checksum, bad-key, bad-pubkey, ambiguous-passphrase. */
export class KeyError extends DokomodoError {
  constructor(code: string, message: string, hint?: string) {
    super(code, message, hint === undefined ? {} : { hint });
    this.name = 'KeyError';
  }
}

function versionBytes(version: number): Uint8Array {
  if (!Number.isInteger(version) || version < 0 || version > 0xffff) {
    throw new KeyError('bad-version', `base58 version ${version} is not one or two bytes`);
  }
  return version > 0xff ? Uint8Array.of(version >> 8, version & 0xff) : Uint8Array.of(version);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(data));
}

function assertPrivkey(priv: Uint8Array): void {
  if (!(priv instanceof Uint8Array) || priv.length !== 32 || !secp256k1.utils.isValidSecretKey(priv)) {
    throw new KeyError('bad-key', 'the private key is not a valid secp256k1 scalar');
  }
}

/** SEC1 public key of a private key; compressed (33 bytes) unless `compressed` is false. */
export function pubkeyFromPrivkey(priv: Uint8Array, compressed = true): Uint8Array {
  assertPrivkey(priv);
  return secp256k1.getPublicKey(priv, compressed);
}

/** Base58Check(version ‖ RIPEMD160(SHA256(pubkey))). */
export function addressFromPubkey(pubkey: Uint8Array, pubtype: number): string {
  if (!(pubkey instanceof Uint8Array) || (pubkey.length !== 33 && pubkey.length !== 65)) {
    throw new KeyError('bad-pubkey', 'a public key is 33 (compressed) or 65 (uncompressed) bytes');
  }
  return b58check.encode(concat(versionBytes(pubtype), hash160(pubkey)));
}

/** P2SH address of a redeem script. */
export function addressFromScript(script: Uint8Array, p2shtype: number): string {
  return b58check.encode(concat(versionBytes(p2shtype), hash160(script)));
}

/** Base58Check(wiftype ‖ key ‖ 01); the trailing 01 (compressed) is what iguana and komodod emit. */
export function encodeWif(priv: Uint8Array, wiftype: number, compressed = true): string {
  assertPrivkey(priv);
  if (!Number.isInteger(wiftype) || wiftype < 0 || wiftype > 0xff) {
    throw new KeyError('bad-version', `WIF version ${wiftype} is not one byte`);
  }
  return b58check.encode(
    concat(Uint8Array.of(wiftype), priv, compressed ? Uint8Array.of(1) : new Uint8Array(0)),
  );
}

/** Decodes a WIF; throws KeyError (`bad-wif`, `bad-checksum`, `bad-key`) without echoing it. */
export function decodeWif(wif: string): { version: number; privkey: Uint8Array; compressed: boolean } {
  if (typeof wif !== 'string') throw new KeyError('bad-wif', 'a WIF is a string');
  let raw: Uint8Array;
  try {
    raw = base58.decode(wif);
  } catch {
    throw new KeyError('bad-wif', 'the WIF contains characters outside the base58 alphabet');
  }
  if (raw.length !== 37 && raw.length !== 38) {
    throw new KeyError('bad-wif', 'the WIF has the wrong length for a private key');
  }
  let payload: Uint8Array;
  try {
    payload = b58check.decode(wif);
  } catch {
    throw new KeyError('bad-checksum', 'the WIF checksum does not match (mistyped or truncated?)');
  }
  const compressed = payload.length === 34;
  if (compressed && payload[33] !== 1)
    throw new KeyError('bad-wif', 'the WIF has an unknown compression flag');
  const privkey = payload.slice(1, 33);
  assertPrivkey(privkey);
  return { version: payload[0]!, privkey, compressed };
}

/** True when `s` decodes as a WIF (any version, compressed or not). */
export function isWif(s: string): boolean {
  try {
    decodeWif(s);
    return true;
  } catch {
    return false;
  }
}

/** The same key as a WIF of another coin, keeping the compression flag. */
export function convertWif(wif: string, wiftype: number): string {
  const { privkey, compressed } = decodeWif(wif);
  return encodeWif(privkey, wiftype, compressed);
}

const BASE58_CHARS = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/**
 * iguana's `iguana_wifstr_valid` shape test: 50–54 base58 characters with at least one digit,
 * upper- and lower-case letter, and case counts no more lopsided than 5:1 (or 20 letters of one
 * case per digit).
 */
export function looksLikeIguanaWif(s: string): boolean {
  if (s.length < 50 || s.length > 54) return false;
  let n = 0;
  let a = 0;
  let A = 0;
  for (const ch of s) {
    if (!BASE58_CHARS.includes(ch)) return false;
    if (ch >= '1' && ch <= '9') n++;
    else if (ch >= 'A' && ch <= 'Z') A++;
    else if (ch >= 'a' && ch <= 'z') a++;
  }
  if (n === 0 || A === 0 || a === 0) return false;
  return !(A > 5 * a || a > 5 * A || a > n * 20 || A > n * 20);
}

const utf8 = new TextEncoder();

/**
 * The notary private key of a passphrase (reference §4.3): a passphrase that is a WIF is that key;
 * otherwise SHA-256 of its UTF-8 bytes with the curve25519 clamping (`k[0] &= 0xf8`,
 * `k[31] = (k[31] & 0x7f) | 0x40`). iguana decides "is a WIF" by its shape (and then decodes
 * without trusting the checksum) while komodod's convertpassphrase uses its strict WIF decoder; a
 * passphrase on which the two disagree throws KeyError `ambiguous-passphrase` instead of silently
 * picking one of two different keys.
 */
export function passphraseToPrivkey(passphrase: string): Uint8Array {
  const shaped = looksLikeIguanaWif(passphrase);
  let decoded: Uint8Array | undefined;
  try {
    decoded = decodeWif(passphrase).privkey;
  } catch {
    decoded = undefined;
  }
  if (shaped !== (decoded !== undefined)) {
    throw new KeyError(
      'ambiguous-passphrase',
      'the passphrase looks like a WIF to one of iguana and komodod but not to the other, so they would derive different keys',
      'use a WIF with a valid checksum, or a passphrase that is not 50–54 base58 characters',
    );
  }
  if (decoded) return decoded;
  const k = sha256(utf8.encode(passphrase));
  k[0]! &= 0xf8;
  k[31] = (k[31]! & 0x7f) | 0x40;
  return k;
}

/** Keys of one notary: the shared private key and, per coin, its address and WIF. */
export interface DerivedKeys {
  privkey: Uint8Array;
  /** Compressed public key, hex. */
  pubkey: string;
  /** By coin symbol: P2PKH address of the compressed key and compressed WIF. */
  coins: Record<string, { address: string; wif: string }>;
}

export function deriveKeys(passphrase: string, coins: readonly CoinInfo[]): DerivedKeys {
  const privkey = passphraseToPrivkey(passphrase);
  const pub = pubkeyFromPrivkey(privkey, true);
  const out: DerivedKeys = { privkey, pubkey: bytesToHex(pub), coins: {} };
  for (const c of coins) {
    out.coins[c.symbol] = {
      address: addressFromPubkey(pub, c.pubtype),
      wif: encodeWif(privkey, c.wiftype, true),
    };
  }
  return out;
}

/**
 * Version and hash160 of a P2PKH/P2SH address (one- or two-byte version), or undefined when it is
 * not valid Base58Check of that shape. The version says which coin and kind it is.
 */
export function validateAddress(addr: string): { version: number; hash160: Uint8Array } | undefined {
  let payload: Uint8Array;
  try {
    payload = b58check.decode(addr);
  } catch {
    return undefined;
  }
  if (payload.length === 21) return { version: payload[0]!, hash160: payload.slice(1) };
  if (payload.length === 22) return { version: (payload[0]! << 8) | payload[1]!, hash160: payload.slice(2) };
  return undefined;
}
