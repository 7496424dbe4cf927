/** `dokomodo rpc`: one JSON-RPC call to one chain or to many. */
import { DokomodoError, ExitCode } from '../../core/errors.ts';
import { selectChains } from '../../platform/select.ts';
import { summary } from '../../operator/fanout.ts';
import { callAll } from '../../operator/rpc-all.ts';
import { type Context, loadRuntime } from '../context.ts';
import { paint, printJson, table } from '../output.ts';
import { concurrencyOf, resultJson } from '../views/lifecycle.ts';

/** A command-line parameter: JSON when it parses (numbers, true, arrays, objects, "quoted"), else the text. */
export function parseParam(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

export async function rpc(
  ctx: Context,
  target: string,
  method: string,
  params: string[],
  opts: { ndjson?: boolean; concurrency?: number; timeout?: number },
): Promise<number> {
  const { platform, selection, runtime } = await loadRuntime(ctx);
  const targets = selectChains(platform, selection, [target]);
  if (targets.length === 0) throw new DokomodoError('no-targets', `\`${target}\` selects no chains`);
  const results = await callAll(runtime, targets, method, params.map(parseParam), {
    timeoutMs: (opts.timeout ?? 30) * 1000,
    concurrency: concurrencyOf(opts.concurrency, 128),
    onResult: (r) => {
      if (opts.ndjson) ctx.out.stdout(`${JSON.stringify(resultJson(r))}\n`);
    },
  });
  const s = summary(results);
  if (opts.ndjson) {
    // already streamed
  } else if (ctx.opts.json) {
    printJson(ctx.out, results.map(resultJson));
  } else if (results.length === 1 && results[0]!.ok) {
    const v = results[0]!.result;
    ctx.out.stdout(`${typeof v === 'string' ? v : JSON.stringify(v, null, 2)}\n`);
  } else {
    const rows = results.map((r) => {
      const text = r.ok
        ? typeof r.result === 'string'
          ? r.result
          : JSON.stringify(r.result)
        : `${r.error!.code}: ${r.error!.message}`;
      return [
        r.target,
        r.ok ? paint(ctx.out, 'green', 'ok') : paint(ctx.out, 'red', 'failed'),
        text.length > 100 ? `${text.slice(0, 99)}…` : text,
      ];
    });
    ctx.out.stdout(table(['CHAIN', '', 'RESULT'], rows));
  }
  if (!ctx.opts.json && !opts.ndjson && results.length > 1)
    ctx.out.stderr(`${method}: ${s.ok} ok, ${s.failed} failed\n`);
  if (!ctx.opts.json && !opts.ndjson && results.length === 1 && !results[0]!.ok) {
    const e = results[0]!.error!;
    ctx.out.stderr(`${paint(ctx.out, 'red', 'error')} ${e.code}: ${e.message}\n`);
  }
  return s.failed ? ExitCode.failure : ExitCode.ok;
}
