/**
 * Schema issues → diagnostics with positions, stable codes and did-you-mean hints for unknown keys.
 */
import type { z } from 'zod';
import { type Diagnostic, didYouMean } from '../core/diagnostics.ts';
import { PlatformSchema } from './schema.ts';
import { type DocPath, type PlatformSource, pathString } from './source.ts';

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

export function schemaIssuesToDiagnostics(src: PlatformSource, issues: readonly Issue[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    for (const d of issueToDiagnostics(src, issue, [])) {
      const key = `${d.code}@${d.pos?.line}:${d.pos?.col}:${d.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(d);
      }
    }
  }
  return out;
}

function issueToDiagnostics(src: PlatformSource, issue: Issue, prefix: DocPath): Diagnostic[] {
  const path = [...prefix, ...(issue.path as Array<string | number>)];
  const where = pathString(path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(path);
      return issue.keys.map((k) => {
        const guess = known.length ? didYouMean(k, known) : undefined;
        const hint = guess
          ? `did you mean \`${guess}\`?`
          : known.length
            ? `allowed here: ${known.join(', ')}`
            : 'remove it';
        return src.diag('unknown-key', [...path, k], `unknown key \`${k}\` in ${where}`, { hint, key: true });
      });
    }
    case 'invalid_type': {
      const got = describeValue(valueAt(src, path));
      if (got === 'nothing') {
        const parent = path.slice(0, -1);
        return [
          src.diag('missing-key', parent, `${where} is required`, {
            hint: `add \`${String(path[path.length - 1])}:\` to ${pathString(parent)}`,
          }),
        ];
      }
      return [
        src.diag('wrong-type', path, `${where} must be ${article(issue.expected)}, not ${got}`, {
          hint: typeHint(issue.expected),
        }),
      ];
    }
    case 'invalid_union': {
      // Pick the branch that came closest (fewest issues); if every branch failed on the value's
      // own type, say what types are accepted instead of reporting one branch.
      const branches = issue.errors;
      if (branches.length === 0) return [src.diag('bad-value', path, `${where} has an invalid value`)];
      const typeOnly = branches.every(
        (b) => b.length === 1 && b[0]!.code === 'invalid_type' && b[0]!.path.length === 0,
      );
      if (typeOnly) {
        const expected = [...new Set(branches.map((b) => (b[0] as { expected: string }).expected))];
        const got = describeValue(valueAt(src, path));
        return [
          src.diag('wrong-type', path, `${where} must be ${orList(expected.map(article))}, not ${got}`),
        ];
      }
      const best = [...branches].sort((a, b) => score(a) - score(b))[0]!;
      // An unknown key usually explains a missing one (a typo): report it first.
      const ordered = [...best].sort(
        (a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'),
      );
      return ordered.flatMap((i) => issueToDiagnostics(src, i, path));
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      return [
        src.diag('bad-value', path, `${where} must be ${orList(values)}`, {
          hint: `use one of: ${values.join(', ')}`,
        }),
      ];
    }
    case 'invalid_format': {
      const value = valueAt(src, path);
      const isName = path.length === 2 && typeof path[1] === 'string';
      return [
        src.diag(
          isName ? 'bad-name' : 'bad-format',
          path,
          `${where}: ${JSON.stringify(value)} ${issue.message.replace(/^Invalid string: /, 'does not match ')}`,
        ),
      ];
    }
    case 'too_small':
    case 'too_big': {
      const value = valueAt(src, path);
      const bound = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const what =
        issue.origin === 'array'
          ? `${where} needs ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} entr${bound === '1' ? 'y' : 'ies'}`
          : issue.origin === 'string'
            ? `${where} must not be empty`
            : `${where} is ${JSON.stringify(value)}; it must be ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound}`;
      return [src.diag('out-of-range', path, what)];
    }
    default:
      return [src.diag('bad-value', path, `${where}: ${issue.message}`)];
  }
}

function score(branch: readonly Issue[]): number {
  // unknown keys on the branch's own object mean "wrong shape entirely": rank those last.
  return (
    branch.length + branch.filter((i) => i.code === 'unrecognized_keys' && i.path.length === 0).length * 0.5
  );
}

function valueAt(src: PlatformSource, path: DocPath): unknown {
  const node = src.doc.getIn(path as Array<string | number>, false);
  return node;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

function article(t: string): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    null: 'empty',
  };
  return names[t] ?? t;
}

function typeHint(expected: string): string | undefined {
  if (expected === 'object') return 'write it as `key: value` lines indented under it, or `{ key: value }`';
  if (expected === 'array') return 'write it as `[a, b]` or as `- a` lines';
  return undefined;
}

function orList(xs: string[]): string {
  if (xs.length <= 1) return xs[0] ?? '';
  return `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`;
}

/** Allowed keys of the object schema at `path`, walking records, unions and wrappers. */
export function knownKeys(path: DocPath): string[] {
  const keys = new Set<string>();
  const walk = (schema: AnySchema, i: number): void => {
    const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
        walk(def['innerType'] as AnySchema, i);
        return;
      case 'pipe':
        walk(def['in'] as AnySchema, i);
        return;
      case 'union':
        for (const o of def['options'] as AnySchema[]) walk(o, i);
        return;
      case 'object': {
        const shape = def['shape'] as Record<string, AnySchema>;
        if (i === path.length) {
          for (const k of Object.keys(shape)) keys.add(k);
          return;
        }
        const next = shape[String(path[i])];
        if (next) walk(next, i + 1);
        return;
      }
      case 'record':
        if (i < path.length) walk(def['valueType'] as AnySchema, i + 1);
        return;
      case 'array':
        if (i < path.length) walk(def['element'] as AnySchema, i + 1);
        return;
      default:
        return;
    }
  };
  walk(PlatformSchema, 0);
  return [...keys];
}
