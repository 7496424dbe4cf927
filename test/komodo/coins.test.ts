import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assetchainCoin, COINS, coinInfo, KMD } from '../../src/komodo/coins.ts';

interface VersionEntry {
  coin: string;
  pubtype: number | number[];
  p2shtype: number | number[];
  wiftype: number;
  p2p?: number;
  rpc?: number;
  netmagic_le_hex?: string;
  conf?: string;
}
const file = JSON.parse(
  readFileSync(new URL('../vectors/address-versions.json', import.meta.url), 'utf8'),
) as {
  coins: VersionEntry[];
};

/** The table's symbol for a vectors entry ("EMC2 (Einsteinium)" → EMC2; the 2020 GLEEC BTC fork → GLEECBTC). */
function symbolOf(e: VersionEntry): string {
  if (e.coin.startsWith('GLEEC (BTC-fork')) return 'GLEECBTC';
  return e.coin.split(/[\s/(]/)[0]!;
}
const prefix = (v: number | number[]): number => (Array.isArray(v) ? (v[0]! << 8) | v[1]! : v);

const coinEntries = file.coins.filter((e) => !e.coin.startsWith('KMD assetchains'));

describe('address-versions.json', () => {
  it.each(coinEntries.map((e) => [e.coin, e] as const))('%s', (_l, e) => {
    const c = coinInfo(symbolOf(e));
    expect(c).toBeDefined();
    expect(c!.pubtype).toBe(prefix(e.pubtype));
    expect(c!.p2shtype).toBe(prefix(e.p2shtype));
    expect(c!.wiftype).toBe(e.wiftype);
    expect(c!.p2p).toBe(e.p2p);
    expect(c!.rpc).toBe(e.rpc);
    expect(c!.netmagic).toBe(e.netmagic_le_hex);
    if (e.conf) {
      // "~/.litecoin/litecoin.conf (macOS: …)" → data dir and conf name on Linux
      const m = /^~\/(\S+)\/([^/\s]+)/.exec(e.conf)!;
      expect(c!.dataDir).toBe(m[1]);
      expect(c!.confName).toBe(m[2]);
    }
  });

  it('covers every coin of the file and nothing else', () => {
    expect(Object.keys(COINS).sort()).toEqual(coinEntries.map(symbolOf).sort());
  });

  it('assetchains use the KMD versions', () => {
    const e = file.coins.find((x) => x.coin.startsWith('KMD assetchains'))!;
    const a = assetchainCoin('DOC');
    expect([a.pubtype, a.p2shtype, a.wiftype]).toEqual([e.pubtype, e.p2shtype, e.wiftype]);
    expect([a.pubtype, a.p2shtype, a.wiftype]).toEqual([KMD.pubtype, KMD.p2shtype, KMD.wiftype]);
  });
});

describe('COINS', () => {
  it('KMD is the komodod daemon in ~/.komodo', () => {
    expect(COINS['KMD']).toBe(KMD);
    expect(KMD).toMatchObject({
      symbol: 'KMD',
      name: 'Komodo',
      daemon: 'komodod',
      cli: 'komodo-cli',
      dataDir: '.komodo',
      confName: 'komodo.conf',
    });
  });
  it('LTC and BTC daemons', () => {
    expect(coinInfo('LTC')).toMatchObject({ name: 'litecoin', daemon: 'litecoind', cli: 'litecoin-cli' });
    expect(coinInfo('BTC')).toMatchObject({ daemon: 'bitcoind', cli: 'bitcoin-cli', dataDir: '.bitcoin' });
  });
  it('every coin has a complete daemon layout and a symbol equal to its key', () => {
    for (const [k, c] of Object.entries(COINS)) {
      expect(c.symbol).toBe(k);
      for (const f of [c.name, c.daemon, c.cli, c.dataDir, c.confName]) expect(f).toMatch(/\S/);
      expect(c.confName.endsWith('.conf')).toBe(true);
    }
  });
  it('lookups are exact and immune to prototype keys', () => {
    expect(coinInfo('ltc')).toBeUndefined();
    expect(coinInfo('toString')).toBeUndefined();
    expect(coinInfo('__proto__')).toBeUndefined();
  });
  it('the table is frozen', () => {
    expect(Object.isFrozen(COINS)).toBe(true);
    expect(Object.isFrozen(KMD)).toBe(true);
  });
  it('assetchainCoin carries the identity when given', () => {
    expect(assetchainCoin('DOC', { p2p: 62415, rpc: 62416, netmagic: 'abcdef01' })).toMatchObject({
      symbol: 'DOC',
      dataDir: '.komodo/DOC',
      confName: 'DOC.conf',
      daemon: 'komodod',
      p2p: 62415,
      rpc: 62416,
      netmagic: 'abcdef01',
    });
  });
});
