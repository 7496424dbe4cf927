/**
 * Fan-out: run one async action per target with bounded concurrency and report every target —
 * status, duration, result or error. A failing target never stops the others; partial failure is
 * a result, not an exception.
 */
import { redact } from '../core/redact.ts';

export interface TargetError {
  /** A stable code, e.g. `rpc-auth`, `rpc-transport`, `rpc-timeout`, `rpc-warmup`, `rpc-error`, `port-in-use`. */
  code: string;
  message: string;
  /** JSON-RPC error code, when the daemon sent one. */
  rpcCode?: number;
  hint?: string;
}

export interface TargetResult<T> {
  target: string;
  ok: boolean;
  result?: T;
  error?: TargetError;
  durationMs: number;
}

export interface FanoutOptions<T> {
  concurrency: number;
  /** Called as each target finishes (for progress and NDJSON streaming). */
  onResult?: (r: TargetResult<T>) => void;
  /** Stop starting new targets after the first failure (the running ones finish). Default false. */
  bail?: boolean;
  /** Maps a thrown value to a target error. */
  toError?: (e: unknown) => TargetError;
}

export function defaultTargetError(e: unknown): TargetError {
  const err = e as { code?: unknown; kind?: unknown; message?: unknown; hint?: unknown };
  const kind = typeof err?.kind === 'string' ? err.kind : undefined;
  const code =
    kind !== undefined
      ? `rpc-${kind === 'rpc' ? 'error' : kind}`
      : typeof err?.code === 'string'
        ? err.code
        : 'failed';
  const out: TargetError = {
    code,
    message: redact(typeof err?.message === 'string' ? err.message : String(e)),
  };
  if (kind !== undefined && typeof err.code === 'number') out.rpcCode = err.code;
  if (typeof err?.hint === 'string') out.hint = redact(err.hint);
  return out;
}

/** Runs `fn` for every target, at most `concurrency` at once; results in target order. */
export async function fanout<T>(
  targets: readonly string[],
  fn: (target: string) => Promise<T>,
  opts: FanoutOptions<T>,
): Promise<TargetResult<T>[]> {
  const results: TargetResult<T>[] = new Array(targets.length);
  const toError = opts.toError ?? defaultTargetError;
  let next = 0;
  let bailed = false;
  const worker = async () => {
    while (!bailed) {
      const i = next++;
      if (i >= targets.length) return;
      const target = targets[i]!;
      const t0 = performance.now();
      let r: TargetResult<T>;
      try {
        const result = await fn(target);
        r = { target, ok: true, result, durationMs: performance.now() - t0 };
      } catch (e) {
        r = { target, ok: false, error: toError(e), durationMs: performance.now() - t0 };
        if (opts.bail) bailed = true;
      }
      results[i] = r;
      opts.onResult?.(r);
    }
  };
  const width = Math.max(1, Math.min(opts.concurrency, targets.length));
  await Promise.all(Array.from({ length: width }, worker));
  return results.filter((r) => r !== undefined);
}

export function summary<T>(results: readonly TargetResult<T>[]): {
  ok: number;
  failed: number;
  total: number;
} {
  const ok = results.filter((r) => r.ok).length;
  return { ok, failed: results.length - ok, total: results.length };
}
