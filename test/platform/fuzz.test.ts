/**
 * Fuzz test of the platform loader: 10,000 mutated platform files (byte flips, truncations,
 * spliced and repeated lines, alias bombs, deep nesting, huge scalars, unicode oddities) loaded
 * in worker threads, each within a time bound, then a sample through the real `validate`.
 *
 * Cost: about 70 CPU-seconds in all (27 for the 10,000 in-process, the rest the 200 processes),
 * so about 35 s of wall time on two idle cores.
 *
 * Seeded: DOKOMODO_FUZZ_SEED=N reruns another seed, and a failure names the seed and file number
 * (`fuzzFile(seed, n)` in fuzz-mutate.ts rebuilds it; failing files are also written to .tmp/fuzz/).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FuzzReply } from './fuzz-worker.ts';
import { fuzzFile } from './fuzz-mutate.ts';

const SEED = Number(process.env['DOKOMODO_FUZZ_SEED'] ?? 20261202);
const FILES = 10_000;
const WORKERS = 2;
/** A file that takes longer is a hang; real platform files load in milliseconds. */
const PER_FILE_MS = 2000;
const VALIDATE_SAMPLE = 200;

/** The codes docs/platform-file.md documents: the first column of its Diagnostics table. */
function documentedCodes(): Set<string> {
  const doc = readFileSync('docs/platform-file.md', 'utf8');
  const section = doc.slice(doc.indexOf('## Diagnostics'));
  const codes = new Set<string>();
  for (const line of section.split('\n')) {
    const first = /^\|([^|]+)\|/.exec(line)?.[1] ?? '';
    for (const m of first.matchAll(/`([a-z][a-z-]*)`/g)) codes.add(m[1]!);
  }
  return codes;
}

/** JavaScript's words, which must never reach a user. */
const JS_TEXT =
  /RangeError|TypeError|ReferenceError|SyntaxError|InternalError|call stack|is not a function|is not iterable|Cannot read propert|Cannot convert|undefined is not|\[object Object\]|at .+\.(js|ts):\d+/;

interface Problem {
  n: number;
  why: string;
}

function check(reply: FuzzReply, codes: Set<string>): string[] {
  const why: string[] = [];
  if (reply.threw) why.push(`threw ${reply.threw}`);
  if (reply.diags.length === 0 && !reply.threw) return why; // a valid file
  for (const d of reply.diags) {
    if (!codes.has(d.code)) why.push(`undocumented code ${d.code}`);
    if (!d.line || !d.col || d.line < 1 || d.col < 1 || d.line > reply.lines + 1)
      why.push(`${d.code} without a position in the file (${d.line}:${d.col})`);
    if (JS_TEXT.test(`${d.message} ${d.hint ?? ''}`)) why.push(`${d.code}: JavaScript text: ${d.message}`);
    if (d.message.length > 600) why.push(`${d.code}: message of ${d.message.length} characters`);
  }
  return why;
}

/** Runs files [0, FILES) through the workers; a file over the bound ends its worker. */
async function runAll(workerFile: string): Promise<{ replies: FuzzReply[]; hangs: number[] }> {
  const replies: FuzzReply[] = [];
  const hangs: number[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    let worker = new Worker(workerFile, { workerData: { seed: SEED } });
    try {
      while (next < FILES) {
        const n = next++;
        const reply = await new Promise<FuzzReply | undefined>((resolve, reject) => {
          const timer = setTimeout(() => resolve(undefined), PER_FILE_MS);
          const onMessage = (m: FuzzReply) => {
            clearTimeout(timer);
            worker.off('error', onError);
            resolve(m);
          };
          const onError = (e: Error) => {
            clearTimeout(timer);
            worker.off('message', onMessage);
            reject(e);
          };
          worker.once('message', onMessage);
          worker.once('error', onError);
          worker.postMessage(n);
        });
        if (reply) {
          replies.push(reply);
        } else {
          hangs.push(n);
          await worker.terminate();
          worker = new Worker(workerFile, { workerData: { seed: SEED } });
        }
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, lane));
  return { replies, hangs };
}

function report(problems: Problem[]): string[] {
  if (problems.length === 0) return [];
  const dir = join('.tmp', 'fuzz');
  mkdirSync(dir, { recursive: true });
  return problems.slice(0, 20).map((p) => {
    const f = fuzzFile(SEED, p.n);
    const path = join(dir, `seed${SEED}-${p.n}.yaml`);
    writeFileSync(path, f.bytes);
    return `file ${p.n} (${f.what}; ${path}): ${p.why}`;
  });
}

describe(`fuzz: ${FILES} mutated platform files, seed ${SEED}`, () => {
  let workerFile = '';
  const codes = documentedCodes();
  beforeAll(async () => {
    const dir = join('.tmp', 'fuzz-build');
    mkdirSync(dir, { recursive: true });
    workerFile = join(process.cwd(), dir, `worker-${process.pid}.mjs`);
    await build({
      entryPoints: ['test/platform/fuzz-worker.ts'],
      outfile: workerFile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      banner: {
        js: "import { createRequire as __dkCreateRequire } from 'node:module'; const require = __dkCreateRequire(import.meta.url);",
      },
      logLevel: 'warning',
    });
  });

  it('the documented codes are read from the docs', () => {
    expect(codes.size).toBeGreaterThan(30);
    expect(codes.has('platform-too-complex')).toBe(true);
  });

  it('the files are reproducible from the seed', () => {
    expect(fuzzFile(SEED, 1234).bytes).toEqual(fuzzFile(SEED, 1234).bytes);
    expect(fuzzFile(SEED, 1234).bytes).not.toEqual(fuzzFile(SEED, 1235).bytes);
  });

  it('each loads within the time bound, never throws, and says only documented, positioned things in our words', async () => {
    const { replies, hangs } = await runAll(workerFile);
    const problems: Problem[] = hangs.map((n) => ({ n, why: `no answer within ${PER_FILE_MS} ms` }));
    for (const r of replies) {
      const why = check(r, codes);
      if (why.length > 0) problems.push({ n: r.n, why: why.join('; ') });
    }
    expect(report(problems)).toEqual([]);
    expect(replies.length + hangs.length).toBe(FILES);
    // The mutations must reach past the parser: some files stay valid, many fail the schema or
    // the semantic rules, and the hostile snippets meet their bound.
    const seen = new Map<string, number>();
    for (const r of replies) {
      const c = r.diags.find((d) => d.code)?.code ?? 'valid';
      seen.set(c, (seen.get(c) ?? 0) + 1);
    }
    for (const c of ['valid', 'yaml-syntax', 'unknown-key', 'platform-too-complex', 'not-text'])
      expect(seen.get(c) ?? 0, `files whose first diagnostic is ${c}`).toBeGreaterThan(20);
    expect(seen.size).toBeGreaterThan(15);
  }, 180_000);

  it(`a sample of ${VALIDATE_SAMPLE} through the real validate: exit 0 or 1, our words, within the bound`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dokomodo-fuzz-'));
    const run = (n: number) =>
      new Promise<{
        n: number;
        code: number | null;
        killed: boolean;
        stdout: string;
        stderr: string;
        json: boolean;
      }>((resolve) => {
        const file = join(dir, `${n}.yaml`);
        writeFileSync(file, fuzzFile(SEED, n).bytes);
        const json = n % 2 === 0;
        const args = ['bin/dokomodo.js', '-f', file, 'validate', ...(json ? ['--json'] : [])];
        execFile(
          process.execPath,
          args,
          { timeout: PER_FILE_MS + 5000, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 },
          (err, stdout, stderr) => {
            const code = err ? ((err as { code?: number }).code ?? null) : 0;
            resolve({
              n,
              code: typeof code === 'number' ? code : null,
              killed: !!err?.killed,
              stdout,
              stderr,
              json,
            });
          },
        );
      });
    // Every 50th file: a spread over the mutation kinds, the same sample on every run.
    const sample = Array.from({ length: VALIDATE_SAMPLE }, (_, i) => i * Math.floor(FILES / VALIDATE_SAMPLE));
    const problems: Problem[] = [];
    let at = 0;
    const lane = async () => {
      while (at < sample.length) {
        const r = await run(sample[at++]!);
        const why: string[] = [];
        if (r.killed) why.push('killed at the time bound');
        if (r.code !== 0 && r.code !== 1) why.push(`exit ${r.code}`);
        if (/internal|this is a bug/.test(r.stderr)) why.push(`internal error: ${r.stderr.slice(0, 200)}`);
        if (JS_TEXT.test(r.stdout + r.stderr)) why.push('JavaScript text in the output');
        if (r.json && r.code === 1) {
          const out = JSON.parse(r.stdout) as { diagnostics: Array<{ code: string }> };
          const bad = out.diagnostics.filter((d) => !codes.has(d.code)).map((d) => d.code);
          if (bad.length) why.push(`undocumented codes ${bad.join(', ')}`);
        }
        if (!r.json && r.code === 1 && !/:\d+:\d+ error [a-z-]+: /.test(r.stderr)) {
          why.push(`no positioned error: ${r.stderr.slice(0, 200)}`);
        }
        if (why.length) problems.push({ n: r.n, why: why.join('; ') });
      }
    };
    await Promise.all([lane(), lane()]);
    expect(report(problems)).toEqual([]);
  }, 180_000);
});
