// Every error code the source can emit (outside the platform file's diagnostics) is in
// docs/errors.md, and every code in its tables is still emitted somewhere: the codes are read from
// the source text, so neither side can drift without this failing.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve('src');
const Q = `['"\`]`;
/** A literal code: a quoted string without interpolation. */
const LIT = `${Q}([^'"\`$\\n]+)${Q}`;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

const files = new Map(
  sourceFiles(SRC).map((f) => [relative(resolve('.'), f).split(sep).join('/'), readFileSync(f, 'utf8')]),
);

function text(file: string): string {
  const t = files.get(file);
  if (t === undefined) throw new Error(`${file} is gone: update test/architecture/error-codes.test.ts`);
  return t;
}

/** code → the files that emit it */
function emittedCodes(): Map<string, Set<string>> {
  const codes = new Map<string, Set<string>>();
  const add = (code: string, file: string) => {
    if (!codes.has(code)) codes.set(code, new Set());
    codes.get(code)!.add(file);
  };
  const scan = (file: string, re: RegExp) => {
    let n = 0;
    for (const m of text(file).matchAll(re)) {
      for (const code of m.slice(1)) if (code !== undefined) add(code, file);
      n++;
    }
    return n;
  };

  // 1. Constructors with a literal first argument, anywhere in src/ (calls may span lines).
  const ctor = new RegExp(`(?:new (?:DokomodoError|DevnetError|KeyError)|\\busageError)\\(\\s*${LIT}`, 'g');
  for (const file of files.keys()) scan(file, ctor);

  // 2. Helpers that pass their first argument on as the code, each in its one file.
  const helpers: Array<[string, RegExp]> = [
    // readSecretInput's bad(code, message, hint): usage errors
    ['src/cli/secret-input.ts', new RegExp(`\\bbad\\(\\s*${LIT}`, 'g')],
    // iguana up's step failures, its map of IguanaError kinds, and the restarted-twice result
    ['src/operator/iguana.ts', new RegExp(`\\bfail\\(\\s*${LIT}`, 'g')],
    ['src/operator/iguana.ts', new RegExp(`\\w+:\\s*\\[\\s*${LIT},`, 'g')],
    ['src/operator/iguana.ts', new RegExp(`\\bcode:\\s*${LIT}`, 'g')],
    // the code of a missing secret (platform secret, alert channel secrets)
    ['src/platform/secret.ts', new RegExp(`missingCode:\\s*${LIT}`, 'g')],
    ['src/monitor/notify.ts', new RegExp(`missingCode:\\s*${LIT}`, 'g')],
    // unusablePath: datadir-unusable or path-unusable
    ['src/cli/paths.ts', new RegExp(`dokCode\\s*=[^;]*\\?\\s*${LIT}\\s*:\\s*${LIT}`, 'g')],
    // import dpow's writeAtomic: file-exists or write-failed
    [
      'src/cli/commands/import/dpow.ts',
      new RegExp(`DokomodoError\\(\\s*code === 'EEXIST' \\?\\s*${LIT}\\s*:\\s*${LIT},`, 'g'),
    ],
    // fan-out's fallback for an error without a code
    ['src/operator/fanout.ts', /:\s*'(failed)';/g],
  ];
  for (const [file, re] of helpers) {
    if (scan(file, re) === 0) throw new Error(`${file}: ${re} found nothing: update the test`);
  }

  // 3. Fan-out turns an RpcError's kind into `rpc-<kind>` (`rpc` itself into `rpc-error`).
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template, not a template
  if (!text('src/operator/fanout.ts').includes("`rpc-${kind === 'rpc' ? 'error' : kind}`"))
    throw new Error('src/operator/fanout.ts no longer names RPC errors rpc-<kind>: update the test');
  const kinds = /export type RpcErrorKind =([^;]+);/.exec(text('src/operator/rpc/client.ts'));
  if (!kinds) throw new Error('src/operator/rpc/client.ts has no RpcErrorKind: update the test');
  for (const m of kinds[1]!.matchAll(/'([^']+)'/g))
    add(`rpc-${m[1] === 'rpc' ? 'error' : m[1]}`, 'src/operator/rpc/client.ts');
  return codes;
}

/**
 * Constructor calls whose code is not a literal: each one must be a site this test knows how to
 * read (above), so a new computed code cannot slip past the document.
 */
const COMPUTED_SITES = new Set([
  'src/core/errors.ts: code', // usageError itself
  'src/platform/secret.ts: label.missingCode', // missingCode: above
  'src/cli/secret-input.ts: code', // bad(): above
  'src/cli/paths.ts: dokCode', // above
  "src/cli/commands/import/dpow.ts: code === 'EEXIST' ? 'file-exists' : 'write-failed'", // above
  'src/cli/commands/keys/convert.ts: e.code', // a KeyError's code, re-thrown as a usage error
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template, not a template
  'src/cli/commands/entrypoint.ts: `unknown-${what}`', // unknown-chain, unknown-iguana
]);

function computedSites(): string[] {
  const out: string[] = [];
  const call = /(?<!function )(?:new (?:DokomodoError|DevnetError|KeyError)|\busageError)\(\s*/g;
  for (const [file, t] of files) {
    for (const m of t.matchAll(call)) {
      const rest = t.slice(m.index + m[0].length);
      if (new RegExp(`^${LIT}\\s*,`).test(rest)) continue;
      out.push(`${file}: ${rest.slice(0, rest.search(/,|\n/)).trim()}`);
    }
  }
  return out;
}

/** code → its table row's section, from every table of docs/errors.md. */
function documentedCodes(): Map<string, string> {
  const doc = readFileSync('docs/errors.md', 'utf8');
  const codes = new Map<string, string>();
  let section = '';
  for (const line of doc.split('\n')) {
    if (line.startsWith('## ')) section = line.slice(3);
    const m = /^\| `([^`]+)` \|/.exec(line);
    if (!m) continue;
    if (codes.has(m[1]!)) throw new Error(`docs/errors.md lists \`${m[1]}\` twice`);
    codes.set(m[1]!, section);
  }
  return codes;
}

describe('error codes', () => {
  const emitted = emittedCodes();
  const documented = documentedCodes();

  it('finds the codes (the scan itself works)', () => {
    expect(emitted.size).toBeGreaterThan(80);
    for (const known of [
      'bad-option',
      'unknown-chain',
      'passphrase-missing',
      'rpc-transport',
      'iguana-crashed',
    ])
      expect(emitted.has(known), known).toBe(true);
  });

  it('every code in src/ is documented in docs/errors.md', () => {
    const missing = [...emitted.keys()]
      .filter((c) => !documented.has(c))
      .sort()
      .map((c) => `${c} (${[...emitted.get(c)!].join(', ')})`);
    expect(missing, `codes emitted but not in a table of docs/errors.md:\n  ${missing.join('\n  ')}`).toEqual(
      [],
    );
  });

  it('every code in docs/errors.md is still emitted by src/', () => {
    const stale = [...documented.keys()].filter((c) => !emitted.has(c)).sort();
    expect(stale, `codes in docs/errors.md that src/ no longer emits:\n  ${stale.join('\n  ')}`).toEqual([]);
  });

  it('codes are kebab-case', () => {
    const bad = [...emitted.keys(), ...documented.keys()].filter((c) => !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(c));
    expect(bad, `codes that are not kebab-case: ${bad.join(', ')}`).toEqual([]);
  });

  it('every computed code is one the scan above knows how to read', () => {
    const unknown = computedSites().filter((s) => !COMPUTED_SITES.has(s));
    expect(
      unknown,
      `error constructors whose code is not a literal; teach test/architecture/error-codes.test.ts to read them:\n  ${unknown.join('\n  ')}`,
    ).toEqual([]);
  });
});
