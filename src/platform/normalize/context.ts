/** What every step of normalize shares: the parsed input type, the diagnostics sink and small helpers. */
import { type Diagnostic, didYouMean } from '../../core/diagnostics.ts';
import type { PlatformSource } from '../source.ts';

export type Parsed = import('zod').output<typeof import('../schema.ts').PlatformSchema>;
export type Path = Array<string | number>;

/** Collects the diagnostics of one normalize run, in the order they are found. */
export interface Report {
  err(code: string, path: Path, message: string, hint?: string, key?: boolean): void;
  warn(code: string, path: Path, message: string, hint?: string): void;
}

export function createReport(src: PlatformSource, diags: Diagnostic[]): Report {
  return {
    err: (code, path, message, hint, key) =>
      diags.push(src.diag(code, path, message, { ...(hint ? { hint } : {}), ...(key ? { key } : {}) })),
    warn: (code, path, message, hint) =>
      diags.push(src.diag(code, path, message, { ...(hint ? { hint } : {}), severity: 'warning' })),
  };
}

export function parseDuration(v: number | string | undefined, fallbackMs: number): number {
  if (v === undefined) return fallbackMs;
  if (typeof v === 'number') return Math.round(v * 1000);
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v);
  if (!m) return fallbackMs;
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.round(n * unit);
}

export function hostHint(name: string, known: string[]): string {
  const guess = didYouMean(name, known);
  if (guess) return `did you mean \`${guess}\`?`;
  return known.length ? `defined hosts: ${known.join(', ')}` : 'define it under `hosts`';
}
