/**
 * Mutated platform files for the fuzz test: seeded, so file N of seed S is the same bytes on every
 * machine. `fuzzFile(seed, n)` alone rebuilds one file for a failure report.
 */
import { readFileSync } from 'node:fs';
import { badCases } from './bad-cases.ts';

/** mulberry32: small, fast, and the same sequence everywhere. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

let corpusCache: Uint8Array[] | undefined;
/** The seeds: the examples, the test fixtures and every bad-input case. */
export function corpus(): Uint8Array[] {
  if (corpusCache) return corpusCache;
  const files = ['examples/dev.yaml', 'examples/komodo-mainnet.yaml', 'test/fixtures/typo.yaml'];
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  for (const c of badCases) if (c.yaml) texts.push(c.yaml);
  corpusCache = texts.map((t) => new TextEncoder().encode(t));
  return corpusCache;
}

/** Things that are hard on a YAML loader, each built from the random source. */
const snippets: Array<(r: Rand) => string> = [
  // alias bombs: mappings, sequences, merge keys, reached from x- keys or not
  (r) => {
    const levels = int(r, 3, 12);
    const w = int(r, 2, 10);
    const out = [`x-b0: &b0 {${Array.from({ length: w }, (_, i) => `k${i}: v`).join(', ')}}`];
    for (let i = 1; i <= levels; i++)
      out.push(`x-b${i}: &b${i} {${Array.from({ length: w }, (_, k) => `k${k}: *b${i - 1}`).join(', ')}}`);
    return `${out.join('\n')}\n`;
  },
  (r) => {
    const levels = int(r, 3, 12);
    const out = ['x-s0: &s0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= levels; i++)
      out.push(
        `x-s${i}: &s${i} [${Array(9)
          .fill(`*s${i - 1}`)
          .join(', ')}]`,
      );
    return `${out.join('\n')}\n`;
  },
  (r) => {
    const levels = int(r, 3, 10);
    const out = ['x-m0: &m0 { a: 1, b: 2 }'];
    for (let i = 1; i <= levels; i++)
      out.push(`x-m${i}: &m${i} { <<: [*m${i - 1}, *m${i - 1}], c${i}: *m${i - 1}, d${i}: *m${i - 1} }`);
    return `${out.join('\n')}\n`;
  },
  (r) => {
    const n = int(r, 50, 600);
    const out = ['x-c0: &c0 [1]'];
    for (let i = 1; i < n; i++) out.push(`x-c${i}: &c${i} [*c${i - 1}]`);
    return `${out.join('\n')}\n`;
  },
  // nesting: flow, block, compact, explicit keys
  (r) => {
    const n = int(r, 50, 20_000);
    return `x-f: ${'['.repeat(n)}${r() < 0.5 ? ']'.repeat(n) : ''}\n`;
  },
  (r) => `x-f: ${'{a: '.repeat(int(r, 50, 5000))}1\n`,
  (r) => `x-z: ${pick(r, ['"q"', "'q'", '*q', '|', '!t'])} ${'['.repeat(int(r, 50, 20_000))}\n`,
  (r) => {
    const n = int(r, 50, 400);
    return `x-d:\n${Array.from({ length: n }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')} 1\n`;
  },
  (r) => `x-q:\n  ${'- '.repeat(int(r, 50, 5000))}x\n`,
  (r) => `x-q:\n  ${'? '.repeat(int(r, 50, 2000))}x\n`,
  // huge scalars and keys
  (r) => `x-h: ${'a'.repeat(int(r, 10_000, 300_000))}\n`,
  (r) => `${'K'.repeat(int(r, 10_000, 100_000))}: 1\n`,
  (r) => `x-h: "${'\\u00e9'.repeat(int(r, 1000, 50_000))}"\n`,
  (r) => `x-h: ${'9'.repeat(int(r, 20, 5000))}\n`,
  (r) => `x-h: |\n${`  ${'line '.repeat(40)}\n`.repeat(int(r, 100, 1500))}`,
  // unicode oddities
  () => 'x-u: "\ufeff mid-file BOM"\n\ufeffx-v: 1\n',
  () => 'x-u: "\u202e\u2066reversed\u2069"\n',
  () => 'x-\u200b: zero width key\n',
  () => '\u00a0\u00a0x-nbsp: indented with NBSP\n',
  () => 'x-e: 🦎🦎🦎\n🦎: emoji key\n',
  () => 'x-m: "e\u0301\u0301\u0301\u0301\u0301"\n',
  () => 'x-s: "\ud800 lone surrogate"\n',
  () => 'x-n: "\u0000\u0001\u001b[31m"\n',
  () => 'x-c: value\r\nx-d: crlf\r\n',
  () => 'x-l: "\u2028line\u2029separators"\n',
  // YAML features the loader does not want
  () => '%YAML 1.1\n---\n',
  () => '---\nversion: 1\n---\nchains: {}\n',
  () => '...\n',
  () => 'x-t: !!binary aGVsbG8=\nx-j: !!js/function "function () {}"\n',
  () => 'x-t: !<tag:example.com,2000:app/foo> bar\n',
  () => 'x-a: *undefined_anchor\n',
  () => '<<: *nope\n',
  () => 'x-k: { ? [a, b] : c, ? {d: e} : f }\n',
  () => 'x-a: &a\n  x: 1\nx-b: &a 2\n',
  () => '? |\n  block key\n: value\n',
];

const weird = [
  '-1',
  '0',
  '1e400',
  '-.inf',
  '.nan',
  '0x10',
  '0o17',
  '18446744073709551616',
  '9007199254740993',
  '~',
  'null',
  '[]',
  '{}',
  "''",
  '""',
  'yes',
  'true',
  '!!str 1',
  '*a',
  '&a',
  '|',
  '>-',
  '[1, [2, [3]]]',
  '{ a: { b: { c: 1 } } }',
  '"\\x00"',
  '"\\uD800"',
  '@reserved',
  '`backtick',
  '%percent',
];

const specials = ':-[]{}&*!|>\'"#%@`,?\t\n\r\0 ';

/** One mutation; returns its description for failure reports. */
function mutateOnce(r: Rand, b: Uint8Array, all: Uint8Array[]): { bytes: Uint8Array; what: string } {
  const enc = new TextEncoder();
  const dec = (x: Uint8Array) => new TextDecoder().decode(x);
  const at = () => int(r, 0, Math.max(0, b.length - 1));
  const lineStarts = (): number[] => {
    const s = [0];
    for (let i = 0; i < b.length; i++) if (b[i] === 10 && i + 1 < b.length) s.push(i + 1);
    return s;
  };
  const insert = (pos: number, x: Uint8Array) => {
    const out = new Uint8Array(b.length + x.length);
    out.set(b.subarray(0, pos));
    out.set(x, pos);
    out.set(b.subarray(pos), pos + x.length);
    return out;
  };
  const kind = int(r, 0, 11);
  switch (kind) {
    case 0: {
      const out = b.slice();
      const n = int(r, 1, 8);
      for (let i = 0; i < n && out.length > 0; i++) out[at()]! ^= 1 << int(r, 0, 7);
      return { bytes: out, what: `flip ${n} bits` };
    }
    case 1: {
      const out = b.slice();
      const n = int(r, 1, 4);
      for (let i = 0; i < n && out.length > 0; i++)
        out[at()] = specials.charCodeAt(int(r, 0, specials.length - 1));
      return { bytes: out, what: `set ${n} bytes to YAML indicators` };
    }
    case 2: {
      const n = at();
      return { bytes: b.slice(0, n), what: `truncate at ${n}` };
    }
    case 3: {
      const s = at();
      const e = Math.min(b.length, s + int(r, 1, 200));
      const out = new Uint8Array(b.length - (e - s));
      out.set(b.subarray(0, s));
      out.set(b.subarray(e), s);
      return { bytes: out, what: `delete ${s}..${e}` };
    }
    case 4: {
      const s = at();
      const e = Math.min(b.length, s + int(r, 1, 400));
      const times = int(r, 1, 3);
      const piece = new Uint8Array((e - s) * times);
      for (let i = 0; i < times; i++) piece.set(b.subarray(s, e), i * (e - s));
      return { bytes: insert(e, piece), what: `repeat ${s}..${e} ${times}×` };
    }
    case 5: {
      const other = pick(r, all);
      const lines = dec(other).split('\n');
      const from = int(r, 0, Math.max(0, lines.length - 1));
      const piece = `${lines.slice(from, from + int(r, 1, 12)).join('\n')}\n`;
      const pos = pick(r, lineStarts());
      return { bytes: insert(pos, enc.encode(piece)), what: `splice lines of another file at ${pos}` };
    }
    case 6:
    case 7: {
      const i = int(r, 0, snippets.length - 1);
      const pos = r() < 0.5 ? pick(r, lineStarts()) : b.length;
      return { bytes: insert(pos, enc.encode(snippets[i]!(r))), what: `snippet ${i} at ${pos}` };
    }
    case 8: {
      // A bomb defined up front, then reached from a real value.
      const text = dec(b);
      const bomb = snippets[int(r, 0, 3)]!(r);
      const anchor = /&(\w+)[^\n]*\n$/.exec(bomb)?.[1] ?? 'b0';
      const values = [...text.matchAll(/: [^\n]+/g)];
      if (values.length === 0) return { bytes: enc.encode(bomb + text), what: 'bomb prelude' };
      const v = pick(r, values);
      const out = `${bomb}${text.slice(0, v.index)}: *${anchor}${text.slice(v.index + v[0].length)}`;
      return { bytes: enc.encode(out), what: `bomb *${anchor} at value ${v.index}` };
    }
    case 9: {
      const text = dec(b);
      const values = [...text.matchAll(/: [^\n#]+/g)];
      if (values.length === 0) return { bytes: b, what: 'no value to replace' };
      const v = pick(r, values);
      const w = pick(r, weird);
      return {
        bytes: enc.encode(`${text.slice(0, v.index)}: ${w}${text.slice(v.index + v[0].length)}`),
        what: `value ${v.index} → ${w}`,
      };
    }
    case 10: {
      const lines = dec(b).split('\n');
      const i = int(r, 0, Math.max(0, lines.length - 1));
      const d = int(r, -4, 6);
      lines[i] = d >= 0 ? ' '.repeat(d) + lines[i] : (lines[i] ?? '').slice(-d);
      return { bytes: enc.encode(lines.join('\n')), what: `indent line ${i + 1} by ${d}` };
    }
    default: {
      const lines = dec(b).split('\n');
      const i = int(r, 0, Math.max(0, lines.length - 1));
      const j = int(r, 0, Math.max(0, lines.length - 1));
      if (r() < 0.5) lines.splice(j, 0, lines[i] ?? '');
      else [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
      return { bytes: enc.encode(lines.join('\n')), what: `duplicate or swap lines ${i + 1}, ${j + 1}` };
    }
  }
}

/** File `n` of `seed`: a corpus file with one to three mutations, and what they were. */
export function fuzzFile(seed: number, n: number): { bytes: Uint8Array; what: string } {
  const r = rng((seed ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0);
  const all = corpus();
  const base = int(r, 0, all.length - 1);
  let bytes = all[base]!;
  const steps: string[] = [`seed file ${base}`];
  const count = int(r, 1, 3);
  for (let i = 0; i < count; i++) {
    const m = mutateOnce(r, bytes, all);
    bytes = m.bytes;
    steps.push(m.what);
  }
  return { bytes, what: steps.join('; ') };
}
