/** --diff on notary lists given inline: seeds, settings and keys changed upstream. */
import { describe, expect, it } from 'vitest';
import { diffPlatforms } from '../../src/importer/dpow-diff.ts';
import { loadPlatformText } from '../../src/platform/load.ts';

/** Eight seeds from 198.51.100.FROM on (Iguana's minimum). */
const seeds = (from: number) => Array.from({ length: 8 }, (_, i) => `198.51.100.${from + i}`).join(', ');
const pk = (n: number) => `02${n.toString(16).padStart(64, '0')}`;
const platform = (list: string) => {
  const r = loadPlatformText(
    '/work/p.yaml',
    `version: 1\ndefaults: { pubkey: "${pk(1)}" }\nchains:\n  KMD: {}\niguana:\n  main: { coins: [KMD], notaries: n }\nnotaries:\n  n: ${list}\n`,
  );
  if (!r.platform) throw new Error(JSON.stringify(r.diagnostics));
  return r.platform;
};

describe('diffPlatforms: notary lists', () => {
  it('reports seeds, settings, added, removed and re-keyed notaries', () => {
    const before = platform(
      `{ minsigs: 13, seeds: [${seeds(1)}], list: [{ name: a_EU, pubkey: "${pk(1)}" }, { name: b_NA, pubkey: "${pk(2)}" }] }`,
    );
    const after = platform(
      `{ minsigs: 11, seeds: [${seeds(2)}], list: [{ name: a_EU, pubkey: "${pk(1)}" }, { name: b_NA, pubkey: "${pk(4)}" }, { name: c_AR, pubkey: "${pk(3)}" }] }`,
    );
    expect(diffPlatforms(before, after)).toEqual([
      { kind: 'notary-settings', subject: 'main', field: 'minsigs', was: '13', now: '11' },
      { kind: 'notaries', subject: 'main', field: 'b_NA', was: pk(2), now: pk(4) },
      { kind: 'notaries', subject: 'main', field: 'c_AR', now: pk(3) },
      { kind: 'seeds', subject: 'main', was: '198.51.100.1', now: '198.51.100.9' },
    ]);
    expect(diffPlatforms(after, after)).toEqual([]);
  });
});
