/**
 * Loading the platform file: bytes → YAML with positions → schema → normalize + semantic rules.
 * Never throws on user input: every problem is a diagnostic with a code and `file:line:col`.
 */
import jsyaml from 'js-yaml';
import { isAlias, isMap, isScalar, isSeq, visit } from 'yaml';
import { type Diagnostic, diagnostic, hasErrors } from '../core/diagnostics.ts';
import type { FileReader } from '../core/host.ts';
import { type Excess, MAX_NESTING, maxNodes, measureValue, tooDeepAt } from './bounds.ts';
import type { Platform } from './model.ts';
import { normalize } from './normalize.ts';
import { PlatformSchema } from './schema.ts';
import { PlatformSource } from './source.ts';
import { schemaIssuesToDiagnostics } from './zod-diagnostics.ts';
import { MAX_PLATFORM_BYTES } from './limits.ts';

export interface LoadResult {
  /** Present when there are no errors (warnings may exist). */
  platform: Platform | undefined;
  diagnostics: Diagnostic[];
}

export interface LoadOptions {
  /** Reads files the platform file refers to (notary lists), relative paths resolved by the caller. */
  reader?: FileReader;
  /** Read values with the positioned parser too (tests compare both readings). */
  positionedOnly?: boolean;
}

/** Loads a platform file from its bytes. */
export function loadPlatformBytes(file: string, bytes: Uint8Array, opts: LoadOptions = {}): LoadResult {
  if (bytes.length > MAX_PLATFORM_BYTES) return fail(fileTooLarge(file, bytes.length));
  if (bytes.includes(0)) {
    return fail(
      diagnostic('not-text', 'the platform file contains NUL bytes: it is not a YAML text file', {
        pos: { file, line: 1, col: 1 },
        hint: 'point -f at your dokomodo.yaml',
      }),
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail(
      diagnostic('not-text', 'the platform file is not valid UTF-8 text', {
        pos: { file, line: 1, col: 1 },
        hint: 'save it as UTF-8',
      }),
    );
  }
  return loadPlatformText(file, text, opts);
}

/** Loads a platform file from its text. */
export function loadPlatformText(file: string, text: string, opts: LoadOptions = {}): LoadResult {
  let result: LoadResult;
  try {
    result = loadText(file, text, opts);
  } catch (e) {
    // The bounds in loadText keep every recursive step within the stack; this is the net under them,
    // so that even a shape they miss gets our words, not JavaScript's.
    if (!(e instanceof RangeError)) throw e;
    result = fail(
      diagnostic('platform-too-complex', 'the platform file is too deeply nested or too large to read', {
        pos: { file, line: 1, col: 1 },
        hint: 'a platform file needs about 6 levels of nesting: is this the right file?',
      }),
    );
  }
  for (const d of result.diagnostics) {
    d.message = clip(d.message);
    if (d.hint !== undefined) d.hint = clip(d.hint);
  }
  return result;
}

function loadText(file: string, text: string, opts: LoadOptions): LoadResult {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '' || /^(\s*#.*\n?)*\s*$/.test(text)) {
    return fail(
      diagnostic('empty-file', 'the platform file is empty', {
        pos: { file, line: 1, col: 1 },
        hint: 'start from examples/dev.yaml; at least `version: 1` and `chains:` are needed',
      }),
    );
  }
  const src = new PlatformSource(file, text);
  const deepAt = tooDeepAt(text);
  if (deepAt !== undefined) {
    return fail(
      src.withFrame(
        diagnostic(
          'platform-too-complex',
          `the platform file nests mappings and sequences more than ${MAX_NESTING} levels deep`,
          { pos: src.posAt(deepAt), hint: 'a platform file needs about 6 levels: is this the right file?' },
        ),
      ),
    );
  }
  const diags: Diagnostic[] = [];
  const limit = maxNodes(text.length);
  // Fast path: js-yaml reads the values (15× faster than the positioned parser on large files).
  // Anything it refuses, or a number it cannot hold exactly, goes through the positioned parser,
  // which then reports the problem with its position.
  let data: unknown = FAST_PATH_FAILED;
  if (!opts.positionedOnly) {
    try {
      data = jsyaml.load(text, { schema: FAST_SCHEMA, json: false, filename: file });
    } catch {
      data = FAST_PATH_FAILED;
    }
    if (data !== FAST_PATH_FAILED) {
      const m = measureValue(data, limit);
      if (m.excess) return fail(tooComplex(src, m.excess, limit));
      if (m.unsafeInteger) data = FAST_PATH_FAILED;
    }
  }
  if (data === FAST_PATH_FAILED) {
    const problems: Array<{ offset: number; d: Diagnostic }> = [];
    for (const e of src.doc.errors) {
      // The positioned parser catches a stack overflow of its own and reports it as a YAML error.
      const overflow = /call stack/i.test(e.message);
      const d = overflow
        ? diagnostic('platform-too-complex', 'the platform file is nested too deeply to read', {
            pos: src.posAt(e.pos[0], e.pos[1]),
            hint: 'a platform file needs about 6 levels of nesting: is this the right file?',
          })
        : diagnostic('yaml-syntax', firstLine(e.message), {
            pos: src.posAt(e.pos[0], e.pos[1]),
            hint: 'fix the YAML syntax (indentation, quotes, colons)',
          });
      problems.push({ offset: e.pos[0], d });
    }
    for (const k of src.keyProblems()) problems.push({ offset: k.offset, d: keyDiagnostic(src, k) });
    problems.sort((a, b) => a.offset - b.offset);
    for (const p of problems) diags.push(src.withFrame(p.d));
    if (diags.length > 0) return { platform: undefined, diagnostics: diags };
    for (const w of src.doc.warnings) {
      diags.push(
        src.withFrame(
          diagnostic('yaml-warning', firstLine(w.message), {
            pos: src.posAt(w.pos[0], w.pos[1]),
            severity: 'warning',
          }),
        ),
      );
    }
    diags.push(...unsafeIntegers(src));
    if (hasErrors(diags)) return { platform: undefined, diagnostics: diags };
    try {
      // The alias limit keeps toJS itself from expanding a bomb; measureValue then applies the
      // same bounds as on the fast path.
      data = src.doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof RangeError || /alias count|resource exhaustion/i.test(message)) {
        return fail(
          diagnostic('platform-too-complex', 'the aliases (*name) of the platform file expand too far', {
            pos: { file, line: 1, col: 1 },
            hint: 'aliases are for sharing a few settings; spell large parts out instead',
          }),
        );
      }
      // What else toJS refuses is a merge key (`<<`) whose value is not a mapping.
      const at = badMergeAt(src);
      return fail(
        src.withFrame(
          diagnostic(
            'yaml-syntax',
            'a merge key (`<<`) must be given a mapping, an alias of one, or a list of them',
            {
              pos: at ? src.posAt(at[0], at[1]) : { file, line: 1, col: 1 },
              hint: 'e.g. `<<: *common` where `x-common: &common { … }`',
            },
          ),
        ),
      );
    }
    const m = measureValue(data, limit);
    if (m.excess) return fail(tooComplex(src, m.excess, limit));
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return fail(
      src.diag(
        'not-a-mapping',
        [],
        'the platform file must be a mapping of keys (version, chains, hosts, …)',
        {
          hint: 'start from examples/dev.yaml',
        },
      ),
    );
  }
  const version = (data as Record<string, unknown>)['version'];
  if (version !== 1) {
    const missing = version === undefined;
    return fail(
      src.diag(
        'unsupported-version',
        missing ? [] : ['version'],
        missing
          ? 'the platform file has no `version`'
          : `platform file version ${JSON.stringify(version)} is not supported`,
        { hint: 'add `version: 1` at the top' },
      ),
    );
  }

  if (MAYBE_COMPLEX_KEY.test(text)) {
    const complex = src.keyProblems().filter((k) => k.kind === 'complex');
    if (complex.length > 0) {
      return { platform: undefined, diagnostics: complex.map((k) => src.withFrame(keyDiagnostic(src, k))) };
    }
  }

  // `x-…` keys hold YAML anchors for reuse (as in docker-compose); they are not part of the platform.
  const obj = Object.fromEntries(Object.entries(data).filter(([k]) => !k.startsWith('x-')));
  const parsed = PlatformSchema.safeParse(obj);
  if (!parsed.success) {
    diags.push(...schemaIssuesToDiagnostics(src, parsed.error.issues));
    return { platform: undefined, diagnostics: diags };
  }
  const result = normalize(src, parsed.data, opts.reader);
  diags.push(...result.diagnostics);
  return { platform: hasErrors(diags) ? undefined : result.platform, diagnostics: diags };
}

/** The diagnostic for a file over the size limit; also used before reading a large file at all. */
export function fileTooLarge(file: string, size: number): Diagnostic {
  return diagnostic(
    'file-too-large',
    `the platform file is ${(size / 1048576).toFixed(1)} MiB; the limit is ${MAX_PLATFORM_BYTES / 1048576} MiB`,
    {
      pos: { file, line: 1, col: 1 },
      hint: 'is this the right file? A platform of 8192 chains is about 1 MiB',
    },
  );
}

const FAST_PATH_FAILED = Symbol('fast path failed');
/** YAML 1.2 core schema plus merge keys: the same reading as the positioned parser's settings. */
const FAST_SCHEMA = jsyaml.CORE_SCHEMA.extend({
  // Implicit, or js-yaml reads `<<` as a plain key. js-yaml exports its built-in types at run
  // time; @types/js-yaml does not declare them.
  implicit: [(jsyaml as unknown as { types: { merge: jsyaml.Type } }).types.merge],
});

/**
 * An explicit key (`? `) or a flow collection before `:`: the only ways to write a key that is a
 * mapping or a sequence, which js-yaml turns into text silently. Cheap, so the positioned parse
 * this needs is only paid by files that may have one.
 */
const MAYBE_COMPLEX_KEY = /(?:^|[\s,[{])\?(?:\s|$)|[\]}][ \t]*:|(?:^|\s)\*\S+[ \t]+:(?:\s|$)/m;

function keyDiagnostic(
  src: PlatformSource,
  k: ReturnType<PlatformSource['keyProblems']>[number],
): Diagnostic {
  return k.kind === 'duplicate'
    ? diagnostic('duplicate-key', `the key \`${k.key}\` appears twice in one mapping`, {
        pos: src.posAt(k.offset, k.end),
        hint: 'each name may appear once in a mapping; remove or rename one of them',
      })
    : diagnostic('complex-key', `a key must be a name, not a mapping or a sequence (${k.key})`, {
        pos: src.posAt(k.offset, k.end),
        hint: 'write the key as plain text; `? ` starts an explicit (complex) key in YAML',
      });
}

/** The range of the first `<<` whose value is not a mapping (nor an alias or list of them). */
function badMergeAt(src: PlatformSource): [number, number] | undefined {
  const isMapLike = (n: unknown): boolean => isMap(n) || (isAlias(n) && isMap(n.resolve(src.doc)));
  const stack: unknown[] = [src.doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      for (const pair of node.items) {
        // With merge keys on, the parser reads `<<` as a symbol.
        if (isScalar(pair.key) && (pair.key.value === '<<' || typeof pair.key.value === 'symbol')) {
          const v = pair.value;
          const ok = isMapLike(v) || (isSeq(v) && v.items.every(isMapLike));
          const range = (v as { range?: [number, number, number] } | null)?.range ?? pair.key.range;
          if (!ok && range) return [range[0], range[1]];
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      stack.push(...node.items);
    }
  }
  return undefined;
}

/** Positioned at the first alias on the way to the node that crossed the limit. */
function tooComplex(src: PlatformSource, excess: Excess, limit: number): Diagnostic {
  const message =
    excess.kind === 'nodes'
      ? `with its aliases (*name) expanded, the platform file holds more than ${limit.toLocaleString('en-US')} values`
      : `with its aliases (*name) expanded, the platform file nests more than ${MAX_NESTING} levels deep`;
  return src.diag('platform-too-complex', excess.path, message, {
    hint: 'aliases are for sharing a few settings; spell large parts out instead',
  });
}

function fail(d: Diagnostic): LoadResult {
  return { platform: undefined, diagnostics: [d] };
}

/** Messages quote keys and values from the file; a 10 MB key must not make a 10 MB message. */
function clip(s: string): string {
  return s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s;
}
const MAX_MESSAGE = 400;

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? s;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

/** Integers YAML would read as floats that lose digits: komodod reads them exactly, so must we. */
function unsafeIntegers(src: PlatformSource): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(src.doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'number' && node.range) {
        const raw = src.text.slice(node.range[0], node.range[1]);
        if (/^[-+]?\d+$/.test(raw.trim()) && !Number.isSafeInteger(node.value)) {
          out.push(
            src.withFrame(
              diagnostic('unsafe-integer', `${raw.trim()} is too large to be read exactly as a YAML number`, {
                pos: src.posAt(node.range[0], node.range[1]),
                hint: `quote it: "${raw.trim()}"`,
              }),
            ),
          );
        }
      }
    },
  });
  return out;
}
