import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildExtra, chainIdentity, defaultP2PPort, KMD_MAGIC, toNetmagic } from '../../src/komodo/magic.ts';
import { AC_PARAMS, type Rules } from '../../src/komodo/params.ts';

interface Computed {
  magic_u32: number;
  magic_hex: string;
  magic_int32?: number;
  netmagic_le_hex: string;
  p2p: number;
  rpc_default: number;
  extra_len: number;
  extra_hex: string;
}
interface Reference {
  source: string;
  netmagic?: string;
  p2p?: number;
  rpc?: number;
  agrees: Record<string, boolean>;
}
interface Vector {
  name: string;
  params: Record<string, string>;
  rules?: string;
  purpose?: string;
  status?: string;
  computed: Computed;
  references?: Reference[];
}

const vectors = JSON.parse(
  readFileSync(new URL('../vectors/assetchains.json', import.meta.url), 'utf8'),
) as Record<string, Vector[]>;
const scale = JSON.parse(
  readFileSync(new URL('../vectors/scale-test-chains.json', import.meta.url), 'utf8'),
) as {
  common_params: Record<string, string>;
  columns: string[];
  rows: [string, number, number, number, string][];
};

/**
 * The daemon a vector was computed for: its `rules` note ("legacy (komodod before 2022)",
 * "marmara fork"), else the daemon of the parameters it uses (VRSC's ac_veruspos).
 */
function rulesOf(v: Vector): Rules {
  if (v.rules?.startsWith('legacy')) return 'legacy';
  if (v.rules?.startsWith('marmara')) return 'marmara';
  for (const k of Object.keys(v.params)) {
    const only = AC_PARAMS[k]?.rules;
    if (only && !only.includes('komodo')) return only[0]!;
  }
  return 'komodo';
}

function label(v: Vector, i: number): string {
  const p = Object.entries(v.params)
    .map(([k, val]) => `${k}=${val}`)
    .join(' ');
  return `#${i} ${v.name}${p ? ` ${p.length > 90 ? `${p.slice(0, 90)}…` : p}` : ''}`;
}

function expectComputed(v: Vector): void {
  const rules = rulesOf(v);
  const id = chainIdentity(v.name, v.params, rules);
  const c = v.computed;
  expect(id.magic).toBe(c.magic_u32);
  expect(`0x${id.magic.toString(16).padStart(8, '0')}`).toBe(c.magic_hex);
  if (c.magic_int32 !== undefined) expect(id.magic | 0).toBe(c.magic_int32);
  expect(id.netmagic).toBe(c.netmagic_le_hex);
  expect(id.p2p).toBe(c.p2p);
  expect(id.rpc).toBe(c.rpc_default);
  expect(id.extraHex).toBe(c.extra_hex);
  expect(id.extraHex.length / 2).toBe(c.extra_len);
  // a second call is served from the seed cache and must agree
  expect(chainIdentity(v.name, v.params, rules)).toEqual(id);
  const extra = buildExtra(v.params, rules);
  if (c.extra_hex === '') expect(extra).toBeNull();
  else expect(Buffer.from(extra!).toString('hex')).toBe(c.extra_hex);
}

const withIndex = (list: Vector[]): [string, Vector][] => list.map((v, i) => [label(v, i), v]);

describe('assetchains.json chains (77)', () => {
  it('has the documented count', () => expect(vectors['chains']!).toHaveLength(77));
  it.each(withIndex(vectors['chains']!))('%s', (_l, v) => {
    expectComputed(v);
    // the published values the vectors mark as agreeing must agree with us too
    const id = chainIdentity(v.name, v.params, rulesOf(v));
    for (const r of v.references ?? []) {
      if (r.agrees['p2p'] && r.p2p !== undefined) expect(id.p2p).toBe(r.p2p);
      if (r.agrees['rpc'] && r.rpc !== undefined) expect(id.rpc).toBe(r.rpc);
      if (r.agrees['netmagic'] && r.netmagic !== undefined) expect(id.netmagic).toBe(r.netmagic);
    }
  });
});

describe('assetchains.json superseded_variants', () => {
  it.each(withIndex(vectors['superseded_variants']!))('%s', (_l, v) => expectComputed(v));
});

describe('assetchains.json synthetic_computed_only (48)', () => {
  it('has the documented count', () => expect(vectors['synthetic_computed_only']!).toHaveLength(48));
  it.each(withIndex(vectors['synthetic_computed_only']!))('%s', (_l, v) => expectComputed(v));
});

describe('assetchains.json unresolved', () => {
  it.each(withIndex(vectors['unresolved']!))('%s', (_l, v) => expectComputed(v));

  it('LABS reproduces its published rpc port 40265 under legacy rules (pre-2022 decay reset bug)', () => {
    const labs = vectors['unresolved']!.find((v) => v.name === 'LABS')!;
    const published = labs.references!.find((r) => r.rpc !== undefined)!.rpc;
    const id = chainIdentity('LABS', labs.params, 'legacy');
    expect(id.rpc).toBe(published);
    expect(id.p2p).toBe(40264);
    // current komodod zeroes the third era's decay (100000000 with end 0): a different chain
    expect(chainIdentity('LABS', labs.params, 'komodo').rpc).not.toBe(published);
  });
});

describe('scale-test-chains.json (8192)', () => {
  it('has the documented shape', () => {
    expect(scale.rows).toHaveLength(8192);
    expect(scale.columns).toEqual(['name', 'ac_supply', 'p2p', 'rpc', 'netmagic_le_hex']);
  });
  it.each(scale.rows)('%s supply %d → p2p %d rpc %d netmagic %s', (name, supply, p2p, rpc, netmagic) => {
    const id = chainIdentity(name, { ...scale.common_params, ac_supply: String(supply) });
    expect(id.p2p).toBe(p2p);
    expect(id.rpc).toBe(rpc);
    expect(id.netmagic).toBe(netmagic);
  });
  it('computes all 8192 identities quickly', () => {
    const inputs = scale.rows.map(
      ([name, supply]) => [name, { ...scale.common_params, ac_supply: String(supply) }] as const,
    );
    for (const [n, p] of inputs.slice(0, 200)) chainIdentity(n, p); // warm up the JIT
    const t0 = performance.now();
    for (const [n, p] of inputs) chainIdentity(n, p);
    const ms = performance.now() - t0;
    console.log(`chainIdentity × 8192: ${ms.toFixed(1)} ms`);
    // generous bound against regressions; the target on a normal machine is well under 100 ms
    expect(ms).toBeLessThan(1000);
  });
});

describe('KMD and helpers', () => {
  it('KMD is the constant identity, with or without a name', () => {
    for (const name of ['KMD', '']) {
      expect(chainIdentity(name, {})).toEqual({
        magic: KMD_MAGIC,
        netmagic: 'f9eee48d',
        p2p: 7770,
        rpc: 7771,
        extraHex: '',
      });
    }
  });
  it('toNetmagic writes the little-endian bytes', () => {
    expect(toNetmagic(0x23cbb4fe)).toBe('feb4cb23');
    expect(toNetmagic(0)).toBe('00000000');
    expect(toNetmagic(0xffffffff)).toBe('ffffffff');
    expect(toNetmagic(-1)).toBe('ffffffff');
  });
  it('defaultP2PPort follows the two formulas and the KMD special case', () => {
    expect(defaultP2PPort(0x23cbb4fe, false)).toBe(8000 + (0x23cbb4fe % 7777));
    expect(defaultP2PPort(0x23cbb4fe, true)).toBe(16000 + (0x23cbb4fe % 49500));
    expect(defaultP2PPort(KMD_MAGIC, true)).toBe(7770);
  });
  it('ILN from the reference example', () => {
    const id = chainIdentity('ILN', { ac_supply: '10000000000', ac_cc: '2' });
    expect(id).toMatchObject({
      magic: 0x23cbb4fe,
      netmagic: 'feb4cb23',
      p2p: 12985,
      rpc: 12986,
      extraHex: '',
    });
  });
  it('names are used byte for byte and truncated to 64 bytes like komodod', () => {
    const long = `A${'B'.repeat(70)}`;
    expect(chainIdentity(long, {})).toEqual(chainIdentity(long.slice(0, 64), {}));
    expect(chainIdentity(long.slice(0, 63), {})).not.toEqual(chainIdentity(long.slice(0, 64), {}));
    const utf = 'ÄCHAIN';
    expect(chainIdentity(utf, {}).magic).not.toBe(chainIdentity('ACHAIN', {}).magic);
  });
  it('parameter order does not matter, unknown keys are ignored', () => {
    const a = chainIdentity('X', { ac_supply: '5', ac_reward: '7', ac_cc: '2' });
    const b = chainIdentity('X', {
      ac_cc: '2',
      ac_reward: '7',
      ac_supply: '5',
      addressindex: '1',
      ac_sapling: '1',
    });
    expect(b).toEqual(a);
  });
  it('buildExtra returns a fresh copy each call', () => {
    const a = buildExtra({ ac_reward: '1' })!;
    const b = buildExtra({ ac_reward: '2' })!;
    expect(a).not.toEqual(b);
    expect(buildExtra({ ac_reward: '1' })).toEqual(a);
  });
  it('komodod-style garbage parses as komodod parses it', () => {
    // strtoll stops at the first non-digit; Split stops at the first bad token
    expect(chainIdentity('X', { ac_supply: ' 12abc' })).toEqual(chainIdentity('X', { ac_supply: '12' }));
    expect(chainIdentity('X', { ac_supply: 'abc' })).toEqual(chainIdentity('X', { ac_supply: '0' }));
    expect(chainIdentity('X', { ac_reward: '5,,6' })).toEqual(chainIdentity('X', { ac_reward: '5' }));
    expect(chainIdentity('X', { ac_public: '256' })).toEqual(chainIdentity('X', {}));
  });
  it('legacy-only parameters do not enter current komodod magic', () => {
    const p = { ac_supply: '1000', ac_veruspos: '50', ac_algo: 'verushash' };
    expect(chainIdentity('X', p, 'komodo')).toEqual(chainIdentity('X', { ac_supply: '1000' }));
    expect(chainIdentity('X', p, 'legacy').extraHex).not.toBe('');
  });
  it('marmara byte sits right after the beam/coda bytes and only under marmara rules', () => {
    const p = { ac_supply: '1000', ac_reward: '1', ac_marmara: '1' };
    expect(chainIdentity('X', p, 'komodo')).toEqual(
      chainIdentity('X', { ac_supply: '1000', ac_reward: '1' }),
    );
    const plain = buildExtra({ ac_reward: '1' }, 'marmara')!;
    const m = buildExtra({ ac_reward: '1', ac_marmara: '1' }, 'marmara')!;
    expect(m.length).toBe(plain.length + 1);
    expect(m[m.length - 1]).toBe(1);
  });
});
