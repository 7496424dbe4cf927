/**
 * The built-in season lists against dPoW's elected files (the committed fixture, which
 * test/importer/dpow.test.ts checks against the tarball): main and third party separately, with
 * port, minsigs, BTCminsigs and seeds as the files have them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinSeason, SEASONS, SEASONS_3P } from '../../src/komodo/seasons.ts';
import { loadPlatformText } from '../../src/platform/load.ts';

const elected = (f: string) =>
  JSON.parse(readFileSync(`test/fixtures/dpow-2f846c0/iguana/${f}`, 'utf8')) as {
    port: number;
    minsigs: number;
    BTCminsigs: number;
    seeds: string[];
    notaries: Array<Record<string, string>>;
  };

describe('built-in Season 8', () => {
  for (const [set, file] of [
    ['main', 'elected'],
    ['3p', '3rd_party'],
  ] as const) {
    it(`${set} equals iguana/${file}`, () => {
      const e = elected(file);
      const s = builtinSeason(8, set)!;
      expect({ port: s.port, minsigs: s.minsigs, BTCminsigs: s.BTCminsigs, seeds: s.seeds }).toEqual({
        port: e.port,
        minsigs: e.minsigs,
        BTCminsigs: e.BTCminsigs,
        seeds: e.seeds,
      });
      expect(s.notaries.map((n) => ({ [n.name]: n.pubkey }))).toEqual(e.notaries);
    });
  }

  it('the third-party list: the same operators, other keys (64 of 64)', () => {
    const main = SEASONS['8']!.notaries;
    const tp = SEASONS_3P['8']!.notaries;
    expect(tp.map((n) => n.name)).toEqual(main.map((n) => n.name));
    expect(tp.filter((n, i) => n.pubkey !== main[i]!.pubkey)).toHaveLength(64);
    expect(new Set(tp.map((n) => n.pubkey)).size).toBe(64);
  });

  it('Iguana needs at least 8 seeds: both lists carry 10', () => {
    expect(SEASONS['8']!.seeds.length).toBe(10);
    expect(SEASONS_3P['8']!.seeds.length).toBe(10);
  });
});

describe('notaries: { season, set } in the platform file', () => {
  const load = (list: string) =>
    loadPlatformText(
      '/work/p.yaml',
      `version: 1\ndefaults: { pubkey: "${SEASONS_3P['8']!.notaries[3]!.pubkey}" }\nchains:\n  KMD: {}\niguana:\n  3p: { mode: 3p, coins: [KMD], notaries: n }\nnotaries:\n  n: ${list}\n`,
    );

  it('set: 3p gives the third-party keys, port and seeds', () => {
    const r = load('{ season: 8, set: 3p }');
    expect(r.diagnostics).toEqual([]);
    const n = r.platform!.notaries[0]!;
    expect([n.source, n.port, n.seeds.length, n.notaries[0]!.pubkey]).toEqual([
      'Season 8 (third party)',
      13845,
      10,
      SEASONS_3P['8']!.notaries[0]!.pubkey,
    ]);
  });

  it('the main list does not hold a third-party pubkey: validate warns', () => {
    const r = load('{ season: 8 }');
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([['elected-lacks-pubkey', 'warning']]);
  });

  it('a season without that set is an error with a position', () => {
    const r = load('{ season: 7, set: 3p }');
    expect(r.platform).toBeUndefined();
    // The instance that names the list then reports it undefined, as for any list that fails.
    expect(r.diagnostics.map((d) => [d.code, d.pos?.line])).toEqual([
      ['unknown-season', 8],
      ['unknown-notaries', 6],
    ]);
  });

  it('set without season is refused', () => {
    const r = load(`{ list: [{ name: a_EU, pubkey: "${SEASONS['8']!.notaries[0]!.pubkey}" }], set: 3p }`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['bad-value', 'unknown-notaries']);
  });
});
