import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AC_PARAMS,
  checkParams,
  komodoDecodeHex,
  normalizeParams,
  type ParamProblem,
  paramWarnings,
  type Rules,
  splitList,
  strtoll,
} from '../../src/komodo/params.ts';

const PUBKEY = '02df9bda7bfe2bcaa938b29a399fb0ba58cfb6cc3ddc0001062a600f60a8237ad9';
const SCRIPT = '76a9145eb10cf64f2bab1b457f1f25e658526155928fac88ac';

const codes = (ps: ParamProblem[]): string[] => ps.map((p) => `${p.param}:${p.code}`);

describe('AC_PARAMS', () => {
  it('lists every option komodod reads, keyed without the dash, without ac_name', () => {
    const expected = [
      'ac_supply',
      'ac_reward',
      'ac_end',
      'ac_halving',
      'ac_decay',
      'ac_notarypay',
      'ac_eras',
      'ac_perc',
      'ac_founders',
      'ac_founders_reward',
      'ac_pubkey',
      'ac_script',
      'ac_staked',
      'ac_cc',
      'ac_ccenable',
      'ac_cclib',
      'ac_public',
      'ac_private',
      'ac_txpow',
      'ac_blocktime',
      'ac_timelockgte',
      'ac_timeunlockfrom',
      'ac_timeunlockto',
      'ac_nk',
      'ac_snapshot',
      'ac_earlytxidcontract',
      'ac_cbmaturity',
      'ac_adaptivepow',
      'ac_mineropret',
      'ac_import',
      'ac_beam',
      'ac_coda',
      'ac_algo',
      'ac_veruspos',
      'ac_cbopret',
      'ac_prices',
      'ac_stocks',
      'ac_marmara',
      'ac_sapling',
      'ac_overwinter',
      'ac_ccactivate',
      'ac_ccactivateht',
    ];
    expect(Object.keys(AC_PARAMS).sort()).toEqual([...expected].sort());
    expect(AC_PARAMS['ac_name']).toBeUndefined();
  });
  it('marks what never enters the magic, and the daemon-specific options', () => {
    for (const k of ['ac_sapling', 'ac_overwinter', 'ac_ccactivate', 'ac_ccactivateht']) {
      expect(AC_PARAMS[k]!.affectsMagic).toBe(false);
    }
    expect(AC_PARAMS['ac_supply']!.affectsMagic).toBe(true);
    expect(AC_PARAMS['ac_veruspos']!.rules).toEqual(['legacy', 'marmara']);
    expect(AC_PARAMS['ac_cbopret']!.rules).toEqual(['legacy', 'marmara']);
    expect(AC_PARAMS['ac_marmara']!.rules).toEqual(['marmara']);
    expect(AC_PARAMS['ac_supply']!.rules).toBeUndefined();
    expect(AC_PARAMS['ac_pubkey']!.kind).toBe('pubkey');
    expect(AC_PARAMS['ac_script']!.kind).toBe('hex');
    expect(AC_PARAMS['ac_reward']!.kind).toBe('list');
    expect(AC_PARAMS['ac_cclib']!.kind).toBe('string');
  });
});

describe('komodod parsers', () => {
  it.each([
    ['123', 123n],
    ['  +42', 42n],
    ['-7', -7n],
    ['12abc', 12n],
    ['abc', 0n],
    ['', 0n],
    ['0x10', 0n],
    ['\t\n 5', 5n],
    ['99999999999999999999', 0x7fffffffffffffffn],
    ['-99999999999999999999', -0x8000000000000000n],
    ['1e9', 1n],
  ])('strtoll(%j) = %s', (s, v) => expect(strtoll(s)).toBe(v));

  it.each([
    ['', 8, [], 0n],
    ['1,2,3', 8, [1n, 2n, 3n], 3n],
    [' 1 , 2 ,3', 8, [1n, 2n, 3n], 3n],
    ['1 2 3', 8, [1n, 2n, 3n], 3n],
    ['5,,6', 8, [5n], 5n],
    ['1.5', 8, [1n], 1n],
    ['x,1', 8, [], 0n],
    ['-1', 8, [0xffffffffffffffffn], 0xffffffffffffffffn],
    ['18446744073709551615', 8, [0xffffffffffffffffn], 0xffffffffffffffffn],
    ['18446744073709551616,5', 8, [], 0n],
    ['1,2,3', 2, [1n, 2n], 2n],
  ] as const)('Split(%j, %d)', (s, slots, values, last) => {
    const l = splitList(s, slots);
    expect(l.values).toEqual(values);
    expect(l.last).toBe(last);
    expect(l.at(values.length + 3)).toBe(last);
  });

  it('decode_hex follows komodod for good and bad input', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(Buffer.from(komodoDecodeHex(enc('deadBEEF'), 4)).toString('hex')).toBe('deadbeef');
    // the first n characters must be hex, else n zero bytes
    expect(Buffer.from(komodoDecodeHex(enc('zzadbeef'), 4)).toString('hex')).toBe('00000000');
    // only the first n characters are checked; a bad digit later decodes as -1
    expect(Buffer.from(komodoDecodeHex(enc('deadbezz'), 4)).toString('hex')).toBe('deadbeff');
    // odd length: the first digit is a byte of its own
    expect(Buffer.from(komodoDecodeHex(enc('abcde'), 2)).toString('hex')).toBe('0abc');
  });
});

describe('normalizeParams (reference §1.3)', () => {
  it('defaults', () => {
    const n = normalizeParams({});
    expect(n.supply).toBe(10n);
    expect(n.lastEra).toBe(0);
    expect(n.blocktime).toBe(60);
    expect(n.timelockGte).toBe(0xffffffffffffffffn);
    expect(n.commission).toBe(0n);
    expect(n.pubkey33).toEqual(new Uint8Array(33));
  });
  it.each([
    ['0', 0],
    ['1', 0],
    ['7', 6],
    ['8', 0],
    ['-3', 0],
  ])('ac_eras=%s → lastEra %d', (v, last) => expect(normalizeParams({ ac_eras: v }).lastEra).toBe(last));
  it('stake is capped at 100, txpow masked to 2 bits, public/private truncated to 8 bits', () => {
    expect(normalizeParams({ ac_staked: '150' }).staked).toBe(100);
    expect(normalizeParams({ ac_txpow: '5' }).txpow).toBe(1);
    expect(normalizeParams({ ac_public: '256' }).isPublic).toBe(0);
    expect(normalizeParams({ ac_public: '257' }).isPublic).toBe(1);
  });
  it('commission and founders need a pubkey or script; founders alone default the commission', () => {
    expect(normalizeParams({ ac_perc: '77', ac_founders: '5' })).toMatchObject({
      commission: 0n,
      founders: 0,
    });
    expect(normalizeParams({ ac_pubkey: PUBKEY, ac_founders: '1' }).commission).toBe(53846154n);
    expect(normalizeParams({ ac_pubkey: PUBKEY, ac_founders: '1', ac_founders_reward: '5' }).commission).toBe(
      0n,
    );
    expect(normalizeParams({ ac_script: SCRIPT, ac_perc: '10' }).commission).toBe(10n);
  });
  it('time lock is switched off when from > to', () => {
    const n = normalizeParams({ ac_timelockgte: '5', ac_timeunlockfrom: '10', ac_timeunlockto: '1' });
    expect(n.timelockGte).toBe(0xffffffffffffffffn);
    expect(n.timeUnlockFrom).toBe(0n);
  });
  it('decay resets: current komodod zeroes 100% with end 0, legacy only above 100%', () => {
    const p = { ac_eras: '2', ac_decay: '100000000,150000000', ac_end: '0,0' };
    expect(normalizeParams(p, 'komodo').decay).toEqual([0n, 0n]);
    expect(normalizeParams(p, 'legacy').decay).toEqual([100000000n, 0n]);
  });
  it('ccenable is read only with ac_cc; consecutive duplicates count once; bitmap clears the codes and 0', () => {
    expect(normalizeParams({ ac_ccenable: '236' }).ccCount).toBe(0);
    const n = normalizeParams({ ac_cc: '2', ac_ccenable: '236,236' });
    expect(n.ccCount).toBe(1);
    const bits = n.disableBits!;
    expect(bits[236 >> 3]! & (1 << (236 & 7))).toBe(0);
    expect(bits[0]! & 1).toBe(0);
    expect(bits[1]).toBe(0xff);
  });
  it('legacy algo names and veruspos', () => {
    expect(normalizeParams({ ac_algo: 'verushash' }, 'legacy')).toMatchObject({ algo: 1 });
    expect(normalizeParams({ ac_algo: 'verushash11' }, 'legacy')).toMatchObject({ algo: 2 });
    expect(normalizeParams({ ac_algo: 'sha256' }, 'legacy')).toMatchObject({ algo: 0 });
    expect(normalizeParams({ ac_algo: 'verushash' }, 'komodo')).toMatchObject({ algo: 0 });
    expect(normalizeParams({ ac_veruspos: '80' }, 'legacy').verusPos).toBe(50);
    expect(normalizeParams({ ac_veruspos: '80' }, 'komodo').verusPos).toBe(0);
  });
  it('legacy cbopret flags prices and stocks', () => {
    const n = normalizeParams({ ac_cbopret: '1', ac_prices: 'BTC,ETH', ac_stocks: 'AAPL' }, 'legacy');
    expect(n.cbopret).toBe(13n);
    expect(n.prices).toEqual(['BTC', 'ETH']);
  });
});

interface Vector {
  name: string;
  params: Record<string, string>;
  rules?: string;
}
const vectors = JSON.parse(
  readFileSync(new URL('../vectors/assetchains.json', import.meta.url), 'utf8'),
) as Record<string, Vector[]>;
const rulesOf = (v: Vector): Rules =>
  v.rules?.startsWith('legacy') ? 'legacy' : v.rules?.startsWith('marmara') ? 'marmara' : 'komodo';

describe('checkParams', () => {
  it.each(vectors['chains']!.map((v, i) => [`#${i} ${v.name}`, v] as const))(
    'published chain %s is launchable',
    (_l, v) => {
      expect(checkParams(v.name, v.params, rulesOf(v))).toEqual([]);
    },
  );

  it('KMD takes no parameters', () => {
    expect(checkParams('KMD', {})).toEqual([]);
    expect(codes(checkParams('KMD', { ac_supply: '5' }))).toEqual(['ac_supply:param-refused']);
    expect(codes(checkParams('', { ac_cc: '2' }))).toEqual(['ac_cc:param-refused']);
  });

  it.each([
    ['ac_supply', 'abc'],
    ['ac_supply', '12abc'],
    ['ac_supply', '-5'],
    ['ac_supply', ' 5'],
    ['ac_supply', ''],
    ['ac_cc', '0x10'],
    ['ac_public', '1.0'],
    ['ac_public', '256'],
    ['ac_eras', '8'],
    ['ac_eras', '0'],
    ['ac_txpow', '4'],
    ['ac_staked', '4294967396'],
    ['ac_blocktime', '2147483648'],
    ['ac_adaptivepow', '128'],
    ['ac_reward', '1,,2'],
    ['ac_reward', '1,2,'],
    ['ac_reward', '1;2'],
    ['ac_reward', '1,2,3,4,5,6,7,8,9'],
    ['ac_reward', '18446744073709551616'],
    ['ac_nk', '96,5,3'],
    ['ac_script', 'abc'],
    ['ac_script', 'zz'],
    ['ac_mineropret', 'deadbee'],
    ['ac_pubkey', PUBKEY.slice(2)],
    ['ac_pubkey', `04${PUBKEY.slice(2)}`],
    ['ac_cclib', 'two words'],
    ['ac_algo', 'verushash'],
  ])('%s=%j is a bad value', (k, v) => {
    const ps = checkParams('TESTA', { ...(k === 'ac_cclib' ? { ac_cc: '2' } : {}), [k]: v });
    expect(codes(ps)).toContain(`${k}:bad-param-value`);
    for (const p of ps) expect(p.message.length).toBeGreaterThan(0);
  });

  it('accepts clean values, including lists with spaces and list lengths up to the slots', () => {
    expect(checkParams('TESTA', { ac_reward: '1, 2 ,3', ac_end: '1,2,3,4,5,6,7,8', ac_eras: '7' })).toEqual(
      [],
    );
    expect(checkParams('TESTA', { ac_algo: 'verushash', ac_veruspos: '50' }, 'legacy')).toEqual([]);
    expect(
      checkParams('TESTA', {
        ac_cc: '2',
        ac_ccenable: Array.from({ length: 255 }, (_, i) => i + 1).join(','),
      }),
    ).toEqual([]);
  });

  it('ccenable values are not checked when ac_cc is off (komodod never reads them)', () => {
    expect(checkParams('AXO', { ac_supply: '200000000', ac_ccenable: '130000' })).toEqual([]);
    expect(codes(checkParams('AXO', { ac_cc: '2', ac_ccenable: '130000' }))).toEqual([
      'ac_ccenable:bad-param-value',
    ]);
  });

  it('reports parameters of another daemon', () => {
    expect(codes(checkParams('X', { ac_veruspos: '50' }))).toEqual(['ac_veruspos:param-needs-rules']);
    expect(codes(checkParams('X', { ac_marmara: '1' }, 'legacy'))).toEqual(['ac_marmara:param-needs-rules']);
    expect(checkParams('X', { ac_marmara: '1' }, 'marmara')).toEqual([]);
  });

  it.each([
    ['supply above 90 billion', { ac_supply: '90000000001' }, 'ac_supply'],
    [
      'perc with founders_reward',
      { ac_pubkey: PUBKEY, ac_perc: '5', ac_founders: '1', ac_founders_reward: '7' },
      'ac_founders_reward',
    ],
    [
      'perc with founders_reward even without pubkey',
      { ac_perc: '5', ac_founders_reward: '7' },
      'ac_founders_reward',
    ],
    ['pubkey with supply above 10 billion', { ac_pubkey: PUBKEY, ac_supply: '10000000001' }, 'ac_supply'],
    ['script with supply above 10 billion', { ac_script: SCRIPT, ac_supply: '10000000001' }, 'ac_supply'],
    ['pubkey with notarypay', { ac_pubkey: PUBKEY, ac_notarypay: '100' }, 'ac_notarypay'],
    ['any ac_beam', { ac_beam: '8000' }, 'ac_beam'],
    ['import PUBKEY without pubkey', { ac_import: 'PUBKEY' }, 'ac_import'],
    ['import CODA without coda', { ac_import: 'CODA' }, 'ac_import'],
    ['gateway import without end=1', { ac_import: 'BTC', ac_supply: '0' }, 'ac_import'],
    ['gateway import with supply', { ac_import: 'BTC', ac_end: '1', ac_supply: '5' }, 'ac_import'],
    ['private on another chain', { ac_private: '1' }, 'ac_private'],
    ['unsupported nk pair', { ac_nk: '96,6' }, 'ac_nk'],
    ['single nk value', { ac_nk: '96' }, 'ac_nk'],
  ])('refuses %s', (_l, params, param) => {
    expect(codes(checkParams('TESTA', params as Record<string, string>))).toContain(`${param}:param-refused`);
  });

  it('lets what komodod accepts through', () => {
    expect(checkParams('TESTA', { ac_supply: '90000000000' })).toEqual([]);
    expect(checkParams('PIRATE', { ac_private: '1' })).toEqual([]);
    expect(checkParams('ZOMBIE', { ac_private: '1' })).toEqual([]);
    expect(checkParams('TESTA', { ac_import: 'PUBKEY', ac_pubkey: PUBKEY })).toEqual([]);
    expect(checkParams('TESTA', { ac_import: 'BTC', ac_end: '1', ac_supply: '0' })).toEqual([]);
    expect(checkParams('TESTA', { ac_nk: '200,9' })).toEqual([]);
    expect(checkParams('TESTA', { ac_nk: '96,5' })).toEqual([]);
    expect(checkParams('TESTA', { ac_cbmaturity: '1' })).toEqual([]);
  });

  it('refuses script with marmara under marmara rules', () => {
    expect(codes(checkParams('MCL', { ac_script: SCRIPT, ac_marmara: '1' }, 'marmara'))).toContain(
      'ac_marmara:param-refused',
    );
  });

  it('checks the chain name', () => {
    expect(codes(checkParams('A'.repeat(65), {}))).toEqual(['ac_name:bad-param-value']);
    expect(checkParams('A'.repeat(64), {})).toEqual([]);
    expect(codes(checkParams('MY CHAIN', {}))).toEqual(['ac_name:bad-param-value']);
    expect(codes(checkParams('a/b', {}))).toEqual(['ac_name:bad-param-value']);
  });

  it('never throws on garbage', () => {
    for (const v of ['', ' ', '\n', '-', '+', ',', 'ä', '9'.repeat(40)]) {
      for (const k of Object.keys(AC_PARAMS)) {
        expect(() => checkParams('X', { [k]: v }, 'marmara')).not.toThrow();
        expect(() => paramWarnings('X', { [k]: v }, 'marmara')).not.toThrow();
      }
    }
  });
});

describe('paramWarnings', () => {
  it('reports what komodod silently changes or ignores', () => {
    const w = (p: Record<string, string>, r: Rules = 'komodo') => codes(paramWarnings('TESTA', p, r));
    expect(w({ ac_staked: '150' })).toEqual(['ac_staked:param-normalised']);
    expect(w({ ac_reward: '1', ac_decay: '150000000' })).toEqual(['ac_decay:param-normalised']);
    expect(w({ ac_reward: '1', ac_decay: '100000000' })).toEqual(['ac_decay:param-normalised']);
    expect(w({ ac_reward: '1', ac_decay: '100000000', ac_end: '5' })).toEqual([]);
    expect(w({ ac_timelockgte: '1', ac_timeunlockfrom: '10', ac_timeunlockto: '1' })).toEqual([
      'ac_timeunlockfrom:param-normalised',
    ]);
    expect(w({ ac_perc: '5', ac_founders: '2' })).toEqual([
      'ac_perc:param-ignored',
      'ac_founders:param-ignored',
    ]);
    expect(w({ ac_ccenable: '236', ac_cclib: 'x' })).toEqual([
      'ac_ccenable:param-ignored',
      'ac_cclib:param-ignored',
    ]);
    expect(w({ ac_cc: '2', ac_cclib: 'x' })).toEqual(['ac_cclib:param-normalised']);
    expect(w({ ac_reward: '1,2' })).toEqual(['ac_reward:param-ignored']);
    expect(w({ ac_nk: '96' })).toEqual(['ac_nk:param-normalised']);
    expect(w({ ac_supply: '5', ac_reward: '1' })).toEqual([]);
    expect(paramWarnings('KMD', { ac_staked: '150' })).toEqual([]);
  });
});
