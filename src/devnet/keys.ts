/**
 * The simulator's view of keys and addresses: a thin layer over the domain functions in
 * src/komodo/keys.ts, adding the per-chain version bytes and the few conversions the engine
 * needs all the time (script ↔ address).
 */
import { randomBytes } from 'node:crypto';
import { createBase58check } from '@scure/base';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import {
  addressFromPubkey,
  decodeWif,
  encodeWif,
  passphraseToPrivkey,
  pubkeyFromPrivkey,
  validateAddress,
} from '../komodo/keys.ts';
import { hash160, toHex } from './bytes.ts';
import { type ScriptInfo, classifyScript, p2pkhScript, p2pkScript, p2shScript } from './tx.ts';

/** Base58 version bytes of a chain. Komodo chains: 60 / 85 / 188. */
export interface AddressVersions {
  pubtype: number;
  p2sh: number;
  wif: number;
}

export const KOMODO_VERSIONS: AddressVersions = { pubtype: 60, p2sh: 85, wif: 188 };

/** The crypto777 pubkey every Komodo-family notarization pays to (reference §11.2). */
export const CRYPTO777_PUBKEY = '020e46e79a2a8d12b9b5d12c7a91adb4e454edfae43c0a0cb805427d2ac7613fd9';

const b58c = createBase58check(nobleSha256);

function bytesOf(v: Uint8Array | string): Uint8Array {
  return typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'hex')) : v;
}

/** Base58Check(version ‖ hash160): the address of a P2PKH (or P2SH) destination. */
export function addressFromHash160(h160: Uint8Array, version: number): string {
  const payload = new Uint8Array(21);
  payload[0] = version;
  payload.set(h160, 1);
  return b58c.encode(payload);
}

export interface KeyPair {
  privkey: Uint8Array;
  pubkey: Uint8Array;
  compressed: boolean;
}

export function keyFromPrivkey(privkey: Uint8Array, compressed = true): KeyPair {
  const pub = bytesOf(pubkeyFromPrivkey(privkey, compressed) as Uint8Array | string);
  return { privkey, pubkey: pub, compressed };
}

export function randomKey(): KeyPair {
  for (;;) {
    try {
      return keyFromPrivkey(new Uint8Array(randomBytes(32)));
    } catch {
      // out-of-range scalar: astronomically rare, draw again
    }
  }
}

export function keyFromPassphrase(passphrase: string): KeyPair {
  return keyFromPrivkey(bytesOf(passphraseToPrivkey(passphrase) as Uint8Array | string));
}

export function pubkeyAddress(pubkey: Uint8Array, version: number): string {
  return addressFromPubkey(pubkey, version);
}

export function wifOf(key: KeyPair, version: number): string {
  return encodeWif(key.privkey, version, key.compressed);
}

/** Decodes a WIF; undefined when it is not one. */
export function keyFromWif(wif: string): { key: KeyPair; version: number } | undefined {
  try {
    const d = decodeWif(wif);
    return {
      key: keyFromPrivkey(bytesOf(d.privkey as Uint8Array | string), d.compressed),
      version: d.version,
    };
  } catch {
    return undefined;
  }
}

export interface Destination {
  kind: 'pubkeyhash' | 'scripthash';
  hash160: Uint8Array;
  script: Uint8Array;
}

/** Parses an address of this chain; undefined when invalid or of another chain's version. */
export function parseAddress(addr: string, v: AddressVersions): Destination | undefined {
  const d = validateAddress(addr);
  if (!d) return undefined;
  const h = bytesOf(d.hash160 as Uint8Array | string);
  if (d.version === v.pubtype) return { kind: 'pubkeyhash', hash160: h, script: p2pkhScript(h) };
  if (d.version === v.p2sh) return { kind: 'scripthash', hash160: h, script: p2shScript(h) };
  return undefined;
}

/** The address komodod shows for an output script (P2PK shows its pubkey's P2PKH address). */
export function scriptAddress(info: ScriptInfo, v: AddressVersions): string | undefined {
  if (info.type === 'pubkeyhash' || info.type === 'pubkey')
    return addressFromHash160(info.hash160!, v.pubtype);
  if (info.type === 'scripthash') return addressFromHash160(info.hash160!, v.p2sh);
  return undefined;
}

export function addressOfScript(script: Uint8Array, v: AddressVersions): string | undefined {
  return scriptAddress(classifyScript(script), v);
}

export { hash160, p2pkScript, p2pkhScript, toHex };
