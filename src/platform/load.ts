/**
 * Loading the platform file: bytes → YAML with positions → schema → normalize + semantic rules.
 * Never throws on user input: every problem is a diagnostic with a code and `file:line:col`.
 */
import jsyaml from 'js-yaml';
import { isScalar, visit } from 'yaml';
import { type Diagnostic, diagnostic, hasErrors } from '../core/diagnostics.ts';
import type { FileReader } from '../core/host.ts';
import type { Platform } from './model.ts';
import { normalize } from './normalize.ts';
import { PlatformSchema } from './schema.ts';
import { PlatformSource } from './source.ts';
import { schemaIssuesToDiagnostics } from './zod-diagnostics.ts';

/** Larger files are refused before parsing: a real fleet of 8192 chains is about 1 MB. */
export const MAX_PLATFORM_BYTES = 16 * 1024 * 1024;

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
  const diags: Diagnostic[] = [];
  // Fast path: js-yaml reads the values (15× faster than the positioned parser on large files).
  // Anything it refuses, or a number it cannot hold exactly, goes through the positioned parser,
  // which then reports the problem with its position.
  let data: unknown = FAST_PATH_FAILED;
  if (!opts.positionedOnly) {
    try {
      data = jsyaml.load(text, { schema: FAST_SCHEMA, json: false, filename: file });
      if (hasUnsafeInteger(data)) data = FAST_PATH_FAILED;
    } catch {
      data = FAST_PATH_FAILED;
    }
  }
  if (data === FAST_PATH_FAILED) {
    for (const e of src.doc.errors) {
      const code = e.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax';
      const message = firstLine(e.message);
      const hint =
        code === 'duplicate-key'
          ? 'each name may appear once in a mapping; remove or rename one of them'
          : 'fix the YAML syntax (indentation, quotes, colons)';
      diags.push(src.withFrame(diagnostic(code, message, { pos: src.posAt(e.pos[0], e.pos[1]), hint })));
    }
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
      data = src.doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      return fail(
        diagnostic('yaml-syntax', firstLine(e instanceof Error ? e.message : String(e)), {
          pos: { file, line: 1, col: 1 },
          hint: 'check anchors and aliases (*name) in the file',
        }),
      );
    }
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
  // Implicit, or `<<` stays a plain key (extend([…]) adds explicit types, which need a `!!merge` tag).
  // js-yaml exports its built-in types at run time; @types/js-yaml does not declare them.
  implicit: [(jsyaml as unknown as { types: { merge: jsyaml.Type } }).types.merge],
});

function hasUnsafeInteger(v: unknown): boolean {
  if (typeof v === 'number') return Number.isInteger(v) && !Number.isSafeInteger(v);
  if (Array.isArray(v)) return v.some(hasUnsafeInteger);
  if (v !== null && typeof v === 'object') return Object.values(v).some(hasUnsafeInteger);
  return false;
}

function fail(d: Diagnostic): LoadResult {
  return { platform: undefined, diagnostics: [d] };
}

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
