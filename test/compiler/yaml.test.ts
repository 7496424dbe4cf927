import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { dumpYaml } from '../../src/compiler/yaml.ts';

const OPTIONS: jsyaml.DumpOptions = {
  noRefs: true,
  lineWidth: -1,
  quotingType: '"',
  sortKeys: false,
  skipInvalid: true,
  noCompatMode: false,
};

/** Strings YAML 1.1 or 1.2 reads as something else, and others that need quoting or escapes. */
const TRICKY = [
  '',
  ' ',
  'x',
  ' lead',
  'trail ',
  'on',
  'off',
  'yes',
  'No',
  'y',
  'null',
  'Null',
  '~',
  'true',
  'False',
  '1',
  '-1',
  '0o17',
  '0x1f',
  '017',
  '1e3',
  '1_000',
  '.5',
  '.inf',
  '-.Inf',
  '.nan',
  '1:20',
  '190:20:30',
  '2026-12-02',
  '2026-12-02T10:00:00Z',
  'a: b',
  'a:b',
  'a #b',
  '#c',
  '- x',
  '-x',
  '? x',
  '@x',
  '`x',
  '!x',
  '&a',
  '*a',
  '%x',
  '|',
  '>',
  "'q'",
  '"q"',
  'a"b',
  "a'b",
  '{x}',
  '[x]',
  'a,b',
  'é',
  '日本',
  '\t',
  'a\tb',
  '\u0007',
  'a\\b',
  '127.0.0.1:7771',
  'unless-stopped',
  '$' + '{X}', // a compose variable, spelt so that it is not read as a template
  '$X',
  '=',
  'a=b',
  'x'.repeat(300),
  '0.0.0.0/0',
  '::1',
  '-',
  '--',
  '---',
  '...',
  'x:',
  ':x',
  'http://u:p@h/x',
];
const NUMBERS = [0, 1, -1, 7771, 1.5, -0, 1e21, 0.1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53];

/** Deterministic pseudo-random documents of every shape the emitter handles. */
function randomDoc(seed: number): unknown {
  let s = seed;
  const r = (n: number) => {
    s = (s * 48271) % 2147483647;
    return s % n;
  };
  const value = (depth: number): unknown => {
    const k = r(depth > 3 ? 5 : 8);
    if (k === 0) return TRICKY[r(TRICKY.length)];
    if (k === 1) return NUMBERS[r(NUMBERS.length)];
    if (k === 2) return r(2) === 0;
    if (k === 3) return r(4) === 0 ? undefined : null;
    if (k === 4) return `s${r(100)}`;
    if (k === 5 || k === 6) {
      const o: Record<string, unknown> = {};
      for (let i = r(4); i > 0; i--) o[TRICKY[r(TRICKY.length)]!] = value(depth + 1);
      return o;
    }
    return Array.from({ length: r(4) }, () => value(depth + 1));
  };
  return value(0);
}

describe('dumpYaml', () => {
  it('writes the very bytes js-yaml writes, for tricky scalars in every position', () => {
    for (const v of [...TRICKY, ...NUMBERS]) {
      for (const doc of [
        v,
        [v],
        { k: v },
        { [String(v)]: 1 },
        [[v, v]],
        { a: [v, { b: v }] },
        [{ a: v, b: [v] }],
      ]) {
        expect(dumpYaml(doc), JSON.stringify(doc)).toBe(jsyaml.dump(doc, OPTIONS));
      }
    }
  });
  it('writes the very bytes js-yaml writes, for 5000 random documents (nesting, empties, undefined)', () => {
    for (let seed = 1; seed <= 5000; seed++) {
      const doc = randomDoc(seed);
      expect(dumpYaml(doc), `seed ${seed}`).toBe(jsyaml.dump(doc, OPTIONS));
    }
  });
  it('identifier-like strings (the fast path) are plain exactly when js-yaml says so', () => {
    const words = [
      'y',
      'Y',
      'yes',
      'YES',
      'Yes',
      'yEs',
      'n',
      'N',
      'no',
      'NO',
      'No',
      'nO',
      'on',
      'ON',
      'oN',
      'off',
      'OFF',
      'Off',
    ];
    words.push(
      'true',
      'TRUE',
      'True',
      'tRue',
      'false',
      'FALSE',
      'False',
      'null',
      'NULL',
      'Null',
      'nULL',
      'nan',
      'NaN',
      'inf',
    );
    words.push(
      'Infinity',
      'e3',
      'E1',
      'x0',
      'a.b',
      'a/b',
      'a-',
      'a_',
      'a.',
      'h00',
      'txscl0001',
      'komodo/komodod:0.9.0',
    );
    let s = 7;
    const alphabet = 'aAyYnNoOeEfFtTlLsSuU0189_./-';
    for (let i = 0; i < 20000; i++) {
      let w = 'aytnofxe'[i % 8]!;
      for (let k = (i >> 3) % 6; k > 0; k--) {
        s = (s * 48271) % 2147483647;
        w += alphabet[s % alphabet.length];
      }
      words.push(w);
    }
    for (const w of words)
      for (const doc of [w, { [w]: w }]) expect(dumpYaml(doc), w).toBe(jsyaml.dump(doc, OPTIONS));
  });
  it('paths, spaced words, colons, addresses with ports and integers (the wide fast paths) are written as js-yaml writes them', () => {
    const words = [
      '/',
      '/data/DOC.conf',
      '~/.komodo/DOC',
      'DOC p2p',
      'DOC  p2p',
      'DOC p2p ',
      'a :b',
      'a: b',
      'a:b:c',
      'a:',
      '/a:',
      'a #b',
      'a# b',
      'no-new-privileges:true',
      'y n',
      'on off',
      '127.0.0.1:7770:7770',
      '127.0.0.1:7770',
      '0.0.0.0:1',
      '1.2.3.4',
      '1.2.3.4.5:6',
      '1234.1.1.1:5',
      '7770:7770',
      '1:2:3',
      '01:20',
      '1:2.5',
      '0:0',
      ':1',
      '1:',
    ];
    let s = 11;
    const rand = (n: number) => {
      s = (s * 48271) % 2147483647;
      return s % n;
    };
    const first = 'aZy/~.0:#- ';
    const alphabet = 'aZyn0189_./-: #,';
    for (let i = 0; i < 40000; i++) {
      let w = first[rand(first.length)]!;
      for (let k = rand(9); k > 0; k--) w += alphabet[rand(alphabet.length)];
      words.push(w);
    }
    const digits = () => String(rand(70000));
    for (let i = 0; i < 3000; i++) {
      words.push(`${rand(300)}.${rand(300)}.${rand(300)}.${rand(300)}:${digits()}:${digits()}`);
      words.push(
        `${digits()}:${digits()}`,
        `${digits()}:${digits()}:${digits()}`,
        `0${digits()}:${rand(60)}`,
      );
    }
    for (const w of words)
      for (const doc of [w, { [w]: w }, [w]])
        expect(dumpYaml(doc), JSON.stringify(w)).toBe(jsyaml.dump(doc, OPTIONS));
    const integers = [0, 1, -1, 7770, 65535, -65535, 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, -0, 1e21];
    for (let i = 0; i < 5000; i++) integers.push(rand(2147483646) - rand(100000));
    for (const n of integers)
      for (const doc of [n, { port: n }, [n]])
        expect(dumpYaml(doc), String(n)).toBe(jsyaml.dump(doc, OPTIONS));
  });
  it('multi-line strings and other values it does not mirror go to js-yaml whole', () => {
    for (const doc of [
      { a: 'x\ny' },
      ['a\n'],
      { s: { t: 'line1\nline2\n' } },
      { d: new Date(0) },
      { ['k'.repeat(1100)]: 1 },
    ]) {
      expect(dumpYaml(doc)).toBe(jsyaml.dump(doc, OPTIONS));
    }
  });
});
