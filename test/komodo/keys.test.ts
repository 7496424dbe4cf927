import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COINS, KMD } from '../../src/komodo/coins.ts';
import {
  addressFromPubkey,
  addressFromScript,
  convertWif,
  decodeWif,
  deriveKeys,
  encodeWif,
  hash160,
  isWif,
  KeyError,
  looksLikeIguanaWif,
  passphraseToPrivkey,
  pubkeyFromPrivkey,
  validateAddress,
} from '../../src/komodo/keys.ts';

interface CoinKeys {
  address: string;
  wif_compressed: string;
  wif_uncompressed?: string;
  address_from_uncompressed?: string;
}
interface PassphraseVector {
  passphrase: string;
  sha256_hex?: string;
  privkey_hex: string;
  pubkey_compressed: string;
  pubkey_uncompressed: string;
  hash160_compressed: string;
  if_hashed_instead_privkey_hex?: string;
  [coin: string]: unknown;
}
interface KeysFile {
  passphrase_vectors: PassphraseVector[];
  wif_vectors: {
    wif: string;
    version_byte: number;
    compressed_flag: number;
    privkey_hex: string;
    pubkey_compressed: string;
    kmd_address: string;
  }[];
  pubkey_to_address_vectors: {
    label: string;
    pubkey: string;
    hash160: string;
    addresses: Record<string, string>;
  }[];
  p2sh_example: {
    script_hex: string;
    script_hash160: string;
    KMD_p2sh_address: string;
    BTC_p2sh_address: string;
  };
}

const keys = JSON.parse(readFileSync(new URL('../vectors/keys.json', import.meta.url), 'utf8')) as KeysFile;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const COIN_SYMBOLS = ['KMD', 'BTC', 'LTC', 'EMC2', 'AYA', 'MIL'];

describe('passphrase vectors', () => {
  const cases = keys.passphrase_vectors.map((v) => [JSON.stringify(v.passphrase), v] as const);

  it.each(cases)('%s → private key, public keys, hash160', (_l, v) => {
    const priv = passphraseToPrivkey(v.passphrase);
    expect(hex(priv)).toBe(v.privkey_hex);
    expect(hex(pubkeyFromPrivkey(priv))).toBe(v.pubkey_compressed);
    expect(hex(pubkeyFromPrivkey(priv, false))).toBe(v.pubkey_uncompressed);
    expect(hex(hash160(unhex(v.pubkey_compressed)))).toBe(v.hash160_compressed);
  });

  const perCoin = keys.passphrase_vectors.flatMap((v) =>
    COIN_SYMBOLS.filter((c) => v[c] !== undefined).map((c) => [JSON.stringify(v.passphrase), c, v] as const),
  );
  it.each(perCoin)('%s on %s: address and WIFs', (_l, symbol, v) => {
    const coin = COINS[symbol]!;
    const expected = v[symbol] as CoinKeys;
    const priv = passphraseToPrivkey(v.passphrase);
    expect(addressFromPubkey(pubkeyFromPrivkey(priv), coin.pubtype)).toBe(expected.address);
    expect(encodeWif(priv, coin.wiftype)).toBe(expected.wif_compressed);
    if (expected.wif_uncompressed)
      expect(encodeWif(priv, coin.wiftype, false)).toBe(expected.wif_uncompressed);
    if (expected.address_from_uncompressed) {
      expect(addressFromPubkey(pubkeyFromPrivkey(priv, false), coin.pubtype)).toBe(
        expected.address_from_uncompressed,
      );
    }
    const d = deriveKeys(v.passphrase, [coin]);
    expect(d.pubkey).toBe(v.pubkey_compressed);
    expect(d.coins[symbol]).toEqual({ address: expected.address, wif: expected.wif_compressed });
  });

  it('hashes the UTF-8 bytes with the curve25519 clamping', () => {
    for (const v of keys.passphrase_vectors.filter((x) => x.sha256_hex)) {
      const sha = unhex(v.sha256_hex!);
      sha[0]! &= 0xf8;
      sha[31] = (sha[31]! & 0x7f) | 0x40;
      expect(hex(sha)).toBe(v.privkey_hex);
    }
  });

  it('a passphrase that is a WIF is decoded, not hashed', () => {
    const v = keys.passphrase_vectors.find((x) => x.if_hashed_instead_privkey_hex)!;
    const priv = passphraseToPrivkey(v.passphrase);
    expect(hex(priv)).toBe(v.privkey_hex);
    expect(hex(priv)).not.toBe(v.if_hashed_instead_privkey_hex);
  });

  it('deriveKeys covers several coins at once', () => {
    const v = keys.passphrase_vectors[0]!;
    const d = deriveKeys(
      v.passphrase,
      COIN_SYMBOLS.map((s) => COINS[s]!),
    );
    expect(Object.keys(d.coins)).toEqual(COIN_SYMBOLS);
    for (const s of COIN_SYMBOLS) expect(d.coins[s]!.address).toBe((v[s] as CoinKeys).address);
    expect(hex(d.privkey)).toBe(v.privkey_hex);
  });
});

describe('WIF vectors', () => {
  it.each(keys.wif_vectors.map((v) => [v.wif, v] as const))('%s', (_l, v) => {
    const d = decodeWif(v.wif);
    expect(d.version).toBe(v.version_byte);
    expect(d.compressed).toBe(v.compressed_flag === 1);
    expect(hex(d.privkey)).toBe(v.privkey_hex);
    expect(hex(pubkeyFromPrivkey(d.privkey))).toBe(v.pubkey_compressed);
    expect(addressFromPubkey(pubkeyFromPrivkey(d.privkey), KMD.pubtype)).toBe(v.kmd_address);
    expect(encodeWif(d.privkey, v.version_byte, d.compressed)).toBe(v.wif);
    expect(isWif(v.wif)).toBe(true);
    // used as a passphrase, a WIF is its own key
    expect(hex(passphraseToPrivkey(v.wif))).toBe(v.privkey_hex);
  });

  it('converts between coins keeping the compression flag', () => {
    const v = keys.passphrase_vectors[0]!;
    const kmd = v['KMD'] as CoinKeys;
    expect(convertWif(kmd.wif_compressed, COINS['BTC']!.wiftype)).toBe((v['BTC'] as CoinKeys).wif_compressed);
    expect(convertWif(kmd.wif_compressed, COINS['MIL']!.wiftype)).toBe((v['MIL'] as CoinKeys).wif_compressed);
    const unc = convertWif(kmd.wif_uncompressed!, COINS['BTC']!.wiftype);
    expect(decodeWif(unc).compressed).toBe(false);
    expect(convertWif(unc, KMD.wiftype)).toBe(kmd.wif_uncompressed);
  });
});

describe('pubkey → address vectors', () => {
  const cases = keys.pubkey_to_address_vectors.flatMap((v) =>
    Object.entries(v.addresses).map(([coin, addr]) => [v.label, coin, v.pubkey, v.hash160, addr] as const),
  );
  it.each(cases)('%s on %s', (_l, coin, pubkey, h160, addr) => {
    expect(hex(hash160(unhex(pubkey)))).toBe(h160);
    expect(addressFromPubkey(unhex(pubkey), COINS[coin]!.pubtype)).toBe(addr);
    const back = validateAddress(addr)!;
    expect(back.version).toBe(COINS[coin]!.pubtype);
    expect(hex(back.hash160)).toBe(h160);
  });

  it('P2SH example', () => {
    const p = keys.p2sh_example;
    expect(hex(hash160(unhex(p.script_hex)))).toBe(p.script_hash160);
    expect(addressFromScript(unhex(p.script_hex), KMD.p2shtype)).toBe(p.KMD_p2sh_address);
    expect(addressFromScript(unhex(p.script_hex), COINS['BTC']!.p2shtype)).toBe(p.BTC_p2sh_address);
    expect(validateAddress(p.KMD_p2sh_address)?.version).toBe(85);
  });
});

describe('errors never echo the input', () => {
  const secretWif = (keys.passphrase_vectors[0]!['KMD'] as CoinKeys).wif_compressed;

  function expectKeyError(f: () => unknown, code: string, secret: string): void {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(KeyError);
      expect((e as KeyError).code).toBe(code);
      expect((e as KeyError).message).not.toContain(secret);
      expect(String(e)).not.toContain(secret);
      return;
    }
    throw new Error('expected a KeyError');
  }

  it('bad characters', () => {
    const s = `${secretWif.slice(0, -1)}0`;
    expectKeyError(() => decodeWif(s), 'bad-wif', s);
  });
  it('bad checksum', () => {
    const last = secretWif.at(-1) === 'h' ? 'i' : 'h';
    const s = secretWif.slice(0, -1) + last;
    expectKeyError(() => decodeWif(s), 'bad-checksum', s);
    expect(isWif(s)).toBe(false);
  });
  it('wrong length (an address is not a WIF)', () => {
    const addr = (keys.passphrase_vectors[0]!['KMD'] as CoinKeys).address;
    expectKeyError(() => decodeWif(addr), 'bad-wif', addr);
  });
  it('invalid scalar', () => {
    expectKeyError(() => pubkeyFromPrivkey(new Uint8Array(32)), 'bad-key', '0000000000');
    expectKeyError(() => encodeWif(new Uint8Array(32).fill(0xff), 188), 'bad-key', 'ffffffffff');
  });
  it('a WIF-shaped passphrase with a broken checksum is refused, not silently hashed', () => {
    const last = secretWif.at(-1) === 'h' ? 'i' : 'h';
    const s = secretWif.slice(0, -1) + last;
    expect(looksLikeIguanaWif(s)).toBe(true);
    expectKeyError(() => passphraseToPrivkey(s), 'ambiguous-passphrase', s);
  });
});

describe('iguana WIF shape', () => {
  it('accepts real WIFs and rejects passphrases', () => {
    for (const v of keys.wif_vectors) expect(looksLikeIguanaWif(v.wif)).toBe(true);
    expect(looksLikeIguanaWif('myverysecretandstrongpassphrase_noneabletobrute')).toBe(false);
    expect(looksLikeIguanaWif('notary node passphrase with spaces and more words to be long')).toBe(false);
    // 52 base58 characters but all upper case: iguana hashes it
    expect(looksLikeIguanaWif('ABCDEFGHJKLMNPQRSTUVWXYZABCDEFGHJKLMNPQRSTUVWXYZ1234')).toBe(false);
  });
});

describe('addresses with two-byte versions (zcash-style)', () => {
  it('encode and validate round trip', () => {
    const pub = unhex(keys.pubkey_to_address_vectors[0]!.pubkey);
    const addr = addressFromPubkey(pub, COINS['ZEC']!.pubtype);
    expect(addr.startsWith('t1')).toBe(true);
    expect(validateAddress(addr)).toEqual({ version: 0x1cb8, hash160: hash160(pub) });
  });
  it('validateAddress rejects garbage', () => {
    expect(validateAddress('')).toBeUndefined();
    expect(validateAddress('RXL3YXG2ceaB6C5hfJcN4fvmLH2C34knhB')).toBeUndefined();
    expect(validateAddress('not an address')).toBeUndefined();
  });
});
