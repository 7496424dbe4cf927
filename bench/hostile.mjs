// Benchmark: how long `dokomodo validate` takes to refuse hostile platform files (issue 14),
// against validating the small example file in the same run. With BENCH_BEFORE=<commit>, the
// same files also go through that commit's build (in a temporary directory), each capped at
// BENCH_CAP_MS, to show what the bounds replaced.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median, recordSection } from './record.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CAP_MS = Number(process.env.BENCH_CAP_MS ?? 20_000);
const BEFORE = process.env.BENCH_BEFORE;
const dir = mkdtempSync(join(tmpdir(), 'dokomodo-hostile-'));
const load = loadavg()[0].toFixed(1);
const head = 'version: 1\nchains:\n  KMD: {}\n';

function bomb(levels) {
  const lines = ['x-l0: &l0 {a: 1, b: 1, c: 1, d: 1}'];
  for (let i = 1; i <= levels; i++)
    lines.push(
      `x-l${i}: &l${i} {${'abcdefgh'
        .split('')
        .map((k) => `${k}: *l${i - 1}`)
        .join(', ')}}`,
    );
  return `${head}${lines.join('\n')}\n`;
}
function chain(n) {
  const lines = ['x-0: &a0 [1]'];
  for (let i = 1; i < n; i++) lines.push(`x-${i}: &a${i} [*a${i - 1}]`);
  return `${head}${lines.join('\n')}\n`;
}
const cases = [
  ['mapping alias bomb, 8 keys × 9 levels', bomb(9)],
  [
    'sequence alias bomb reached from `addnode`',
    (() => {
      const l = ['version: 1', 'x-0: &s0 [a, a, a, a, a, a, a, a, a, a]'];
      for (let i = 1; i <= 9; i++)
        l.push(
          `x-${i}: &s${i} [${Array(10)
            .fill(`*s${i - 1}`)
            .join(', ')}]`,
        );
      return `${l.join('\n')}\nchains:\n  KMD:\n    addnode: *s9\n`;
    })(),
  ],
  ['20,000 nested `[`', `${head}x-a: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`],
  ['20,000 compact `- `', `${head}x-a:\n  ${'- '.repeat(20_000)}x\n`],
  ['aliases chained 20,000 deep', chain(20_000)],
  [
    'a duplicate among 50,000 keys',
    `${head}x-m:\n${Array.from({ length: 50_000 }, (_, i) => `  k${i}: 1`).join('\n')}\n  k7: 2\n`,
  ],
];
const files = cases.map(([name, text], i) => {
  const f = join(dir, `${i}.yaml`);
  writeFileSync(f, text);
  return { name, file: f, bytes: Buffer.byteLength(text) };
});
const fifo = join(dir, 'fifo.yaml');
execFileSync('mkfifo', [fifo]);
files.push(
  { name: '`-f /dev/zero`', file: '/dev/zero', bytes: 0 },
  { name: '`-f` a FIFO', file: fifo, bytes: 0 },
);

function run(bin, file) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, '-f', file, 'validate'], { encoding: 'utf8', timeout: CAP_MS });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const code = /error ([a-z-]+):/.exec(r.stderr)?.[1] ?? (r.status === 0 ? 'ok' : `exit ${r.status}`);
  return { ms, killed: r.signal !== null, code, js: /call stack|RangeError|internal/.test(r.stderr) };
}

let before;
if (BEFORE) {
  const old = mkdtempSync(join(tmpdir(), 'dokomodo-before-'));
  execFileSync('sh', ['-c', `git archive ${BEFORE} | tar -x -C ${old}`]);
  symlinkSync(resolve('node_modules'), join(old, 'node_modules'));
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: old });
  before = join(old, 'bin/dokomodo.js');
}

const baseline = [];
for (let i = 0; i < RUNS; i++) baseline.push(run('bin/dokomodo.js', 'examples/dev.yaml').ms);
const rows = files.map((f) => {
  const ms = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    last = run('bin/dokomodo.js', f.file);
    ms.push(last.ms);
  }
  const b = before ? run(before, f.file) : undefined;
  return { ...f, ms: median(ms), code: last.code, b };
});

const fmt = (r) =>
  r.killed
    ? `> ${CAP_MS / 1000} s (killed)`
    : `${r.ms.toFixed(0)} ms${r.js ? ', JavaScript error text' : ''}`;
const table = [
  `| file | bytes | \`validate\` refuses with | time${before ? ` | before (${BEFORE.slice(0, 7)}), one run` : ''} |`,
  `|---|---:|---|---:|${before ? '---:|' : ''}`,
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.bytes.toLocaleString('en')} | \`${r.code}\` | ${r.ms.toFixed(0)} ms |${r.b ? ` ${fmt(r.b)} |` : ''}`,
  ),
].join('\n');
const md = `Wall time of a fresh \`dokomodo validate\` process, median of ${RUNS} runs. Baseline in the same
run: validating \`examples/dev.yaml\` (a clean file) takes ${median(baseline).toFixed(0)} ms, most of it Node's start
(load average ${load} when the run began: on a shared machine every figure scales with it).

${table}`;
recordSection('hostile', 'Hostile platform files: time to refuse (`bench/hostile.mjs`)', md);
console.log(md);
