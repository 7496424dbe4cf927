/**
 * Option values, parsed once where the option is declared: commands receive numbers, seconds and
 * checked paths, never the raw text. A value that does not parse is a usage error (exit 2) that
 * names the option, the value and what the option accepts.
 */
import { Option } from 'commander';
import { usageError } from '../core/errors.ts';

/** What a value option accepts, kept with the option so the tests can try every one of them. */
export interface ValueSpec {
  kind: 'int' | 'number' | 'duration' | 'path' | 'text' | 'listen';
  /** "a whole number from 1 to 4096", for the error message and the docs. */
  accepts: string;
  /** Values the parser must refuse. */
  bad: readonly string[];
}

const specs = new WeakMap<Option, ValueSpec>();

/** The spec of an option declared with one of the helpers below; undefined for any other. */
export function valueSpec(option: Option): ValueSpec | undefined {
  return specs.get(option);
}

function declare<T>(
  flags: string,
  description: string,
  spec: ValueSpec,
  parse: (text: string) => T | undefined,
  fallback?: { value: T; shown: string },
): Option {
  const option = new Option(flags, description);
  const name = option.long ?? option.short ?? flags;
  option.argParser((text: string, previous: unknown) => {
    const v = parse(text);
    if (v === undefined) throw usageError('bad-option', `${name} ${quote(text)}: expected ${spec.accepts}`);
    return (option.variadic ? [...(Array.isArray(previous) ? previous : []), v] : v) as never;
  });
  // Commander hands a default to the command as is, without the parser: give it parsed.
  if (fallback) option.default(fallback.value, fallback.shown);
  specs.set(option, spec);
  return option;
}

function quote(text: string): string {
  return text === '' || /\s/.test(text) ? JSON.stringify(text) : text;
}

const NUMBER = /^[+]?(\d+(\.\d*)?|\.\d+)$/;

/** A whole number in [min, max]. */
export function intOption(
  flags: string,
  description: string,
  range: { min: number; max: number; default?: number },
): Option {
  const spec: ValueSpec = {
    kind: 'int',
    accepts: `a whole number from ${range.min} to ${range.max}`,
    bad: ['abc', '', '1.5', String(range.min - 1), String(range.max + 1), '1e3x', '0x10', 'NaN', 'Infinity'],
  };
  return declare(
    flags,
    description,
    spec,
    (t) => {
      if (!/^[+]?\d+$/.test(t.trim())) return undefined;
      const n = Number(t);
      return Number.isSafeInteger(n) && n >= range.min && n <= range.max ? n : undefined;
    },
    range.default === undefined ? undefined : { value: range.default, shown: String(range.default) },
  );
}

/** A decimal number above `above` (exclusive) and up to `max`. */
export function numberOption(
  flags: string,
  description: string,
  range: { above: number; max: number; unit: string; default?: number },
): Option {
  const spec: ValueSpec = {
    kind: 'number',
    accepts: `a number of ${range.unit} above ${range.above} and up to ${range.max}`,
    bad: ['abc', '', String(range.above), '-1', String(range.max * 2), 'NaN', 'Infinity', '1e400'],
  };
  return declare(
    flags,
    description,
    spec,
    (t) => {
      if (!NUMBER.test(t.trim())) return undefined;
      const n = Number(t);
      return Number.isFinite(n) && n > range.above && n <= range.max ? n : undefined;
    },
    range.default === undefined ? undefined : { value: range.default, shown: String(range.default) },
  );
}

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Seconds from `30`, `1.5`, `90s`, `500ms`, `5m`, `24h`, `7d`, `2w`; undefined if it is none of them. */
export function parseDuration(text: string, defaultUnit: 's' | 'ms' = 's'): number | undefined {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h|d|w)?\s*$/i.exec(text);
  if (!m) return undefined;
  const seconds = Number(m[1]) * UNITS[(m[2] ?? defaultUnit).toLowerCase()]!;
  return Number.isFinite(seconds) ? seconds : undefined;
}

function durationWords(seconds: number): string {
  for (const [unit, size] of [
    ['w', 604800],
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return seconds < 1 ? `${seconds * 1000}ms` : `${seconds}s`;
}

/**
 * A duration in seconds: a plain number is seconds; `ms`, `s`, `m`, `h`, `d`, `w` suffixes too.
 * `min` is inclusive; `min: 0` allows zero (e.g. no warm-up), otherwise zero is refused.
 */
export function durationOption(
  flags: string,
  description: string,
  range: { min: number; max: number; default?: number },
): Option {
  const lowest = range.min === 0 ? '0' : durationWords(range.min);
  const spec: ValueSpec = {
    kind: 'duration',
    accepts: `a duration from ${lowest} to ${durationWords(range.max)}: seconds (30, 1.5) or with a unit (500ms, 90s, 5m, 24h, 7d)`,
    bad: [
      'abc',
      '',
      '-1',
      ...(range.min > 0 ? ['0'] : []),
      `${range.max * 2}`,
      '5x',
      'NaN',
      'Infinity',
      '1e3',
    ],
  };
  return declare(
    flags,
    description,
    spec,
    (t) => {
      const s = parseDuration(t);
      return s !== undefined && s >= range.min && s <= range.max ? s : undefined;
    },
    range.default === undefined ? undefined : { value: range.default, shown: durationWords(range.default) },
  );
}

/**
 * A path: not empty, no NUL byte, no newline (it ends up in conf files and unit files). Whether
 * it can be used is for the command to find out, as a usage error too.
 */
export function pathOption(flags: string, description: string, fallback?: string): Option {
  const spec: ValueSpec = { kind: 'path', accepts: 'a path (not empty)', bad: ['', ' ', 'a\nb'] };
  return declare(
    flags,
    description,
    spec,
    (t) => (t.trim() === '' || /[\0\n\r]/.test(t) ? undefined : t),
    fallback === undefined ? undefined : { value: fallback, shown: fallback },
  );
}

/** A name or a comma-separated list: not empty. */
export function textOption(flags: string, description: string, fallback?: string): Option {
  const spec: ValueSpec = { kind: 'text', accepts: 'a non-empty value', bad: ['', ' '] };
  return declare(
    flags,
    description,
    spec,
    (t) => (t.trim() === '' || /[\0\n\r]/.test(t) ? undefined : t),
    fallback === undefined ? undefined : { value: fallback, shown: fallback },
  );
}

export interface Listen {
  host: string;
  port: number;
}

/** `[ADDRESS:]PORT`, an IPv6 address in brackets. */
export function listenOption(flags: string, description: string, fallback?: Listen): Option {
  const spec: ValueSpec = {
    kind: 'listen',
    accepts: '[ADDRESS:]PORT with a port from 0 to 65535 (e.g. 127.0.0.1:9710, [::1]:9710, 9710)',
    bad: ['', 'abc', '70000', 'host:', ':80', '1.2.3.4:-1'],
  };
  return declare(
    flags,
    description,
    spec,
    (t): Listen | undefined => {
      const m = /^(?:(\[[^\]]+\]|[^:[\]\s]+):)?(\d+)$/.exec(t);
      const port = Number(m?.[2]);
      if (!m || !Number.isInteger(port) || port > 65535) return undefined;
      return { host: (m[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
    },
    fallback === undefined ? undefined : { value: fallback, shown: `${fallback.host}:${fallback.port}` },
  );
}
