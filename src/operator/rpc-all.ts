/** `rpc`: one call to every selected chain, each where it runs, with a result per chain. */
import type { ChainModel } from '../platform/model.ts';
import { fanout, type TargetResult } from './fanout.ts';
import type { Runtime } from './runtime.ts';

export interface CallAllOptions {
  timeoutMs: number;
  concurrency: number;
  /** As each chain answers (NDJSON streams from here). */
  onResult?: (r: TargetResult<unknown>) => void;
}

export async function callAll(
  rt: Runtime,
  chains: readonly ChainModel[],
  method: string,
  params: readonly unknown[],
  opts: CallAllOptions,
): Promise<TargetResult<unknown>[]> {
  const byName = new Map(chains.map((c) => [c.name, c]));
  await rt.prepare({ chains });
  return fanout(
    chains.map((c) => c.name),
    async (name) => {
      const client = rt.clients.chain(byName.get(name)!, {
        timeoutMs: opts.timeoutMs,
        retry: false,
        connections: 1,
      });
      try {
        return await client.call(method, params);
      } finally {
        await client.close();
      }
    },
    { concurrency: opts.concurrency, ...(opts.onResult ? { onResult: opts.onResult } : {}) },
  );
}
