/**
 * The fuzz test's worker: builds file N of the seed and loads it. It runs in a worker thread so
 * the test can stop a file that runs over its time bound instead of hanging with it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadPlatformBytes } from '../../src/platform/load.ts';
import { fuzzFile } from './fuzz-mutate.ts';

export interface FuzzReply {
  n: number;
  ms: number;
  lines: number;
  threw?: string;
  diags: Array<{ code: string; message: string; hint?: string; line?: number; col?: number }>;
}

const seed = (workerData as { seed: number }).seed;
parentPort!.on('message', (n: number) => {
  const { bytes } = fuzzFile(seed, n);
  let lines = 1;
  for (const c of bytes) if (c === 10) lines++;
  const start = performance.now();
  const reply: FuzzReply = { n, ms: 0, lines, diags: [] };
  try {
    const r = loadPlatformBytes('fuzz.yaml', bytes);
    reply.diags = r.diagnostics.map((d) => {
      const out: FuzzReply['diags'][number] = { code: d.code, message: d.message };
      if (d.hint !== undefined) out.hint = d.hint;
      if (d.pos) {
        out.line = d.pos.line;
        out.col = d.pos.col;
      }
      return out;
    });
  } catch (e) {
    reply.threw = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  reply.ms = performance.now() - start;
  parentPort!.postMessage(reply);
});
