// Benchmark: loading the platform file (issue: foundation).
// 1. `dokomodo validate` on the 8192-chain scale catalogue (YAML + schema + rules + magic and ports
//    of every chain), against parsing the same YAML alone, both as fresh processes.
// 2. `dokomodo --version` cold start against `node -e 0`, interleaved.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scaleYaml } from '../examples/scale/generate.mjs';
import { median, recordSection } from './record.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'dokomodo-bench-'));

function wall(args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

const rows = [];
for (const n of [512, 2048, 8192]) {
  const file = join(dir, `scale-${n}.yaml`);
  writeFileSync(file, scaleYaml(n, 64));
  const read = `require('fs').readFileSync(${JSON.stringify(file)},'utf8')`;
  const jsyamlOnly = `import('js-yaml').then(y=>y.default.load(${read}))`;
  const yamlOnly = `import('yaml').then(y=>y.parseDocument(${read}))`;
  const jy = [];
  const py = [];
  const ours = [];
  for (let i = 0; i < RUNS; i++) {
    jy.push(wall(['-e', jsyamlOnly]));
    py.push(wall(['-e', yamlOnly]));
    ours.push(wall(['bin/dokomodo.js', 'validate', '-f', file]));
  }
  const m = median(ours);
  rows.push({ n, jy: median(jy), py: median(py), ours: m, rate: Math.round((n / m) * 1000) });
}

const nodeStart = [];
const version = [];
for (let i = 0; i < RUNS * 3; i++) {
  nodeStart.push(wall(['-e', '0']));
  version.push(wall(['bin/dokomodo.js', '--version']));
}
const nodeMs = median(nodeStart);
const versionMs = median(version);

const table = [
  '| chains | baseline: js-yaml parse only | baseline: positioned parse only (`yaml`) | `dokomodo validate` | chains/s |',
  '|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.n} | ${r.jy.toFixed(0)} ms | ${r.py.toFixed(0)} ms | ${r.ours.toFixed(0)} ms | ${r.rate.toLocaleString('en')} |`,
  ),
].join('\n');
const md = `Wall time of a fresh process, median of ${RUNS} runs, catalogue on 64 hosts with every port
declared (so every computed port is also checked). Target: 8192 chains under 1500 ms.
The loader reads values with js-yaml and parses with positions (the \`yaml\` package) only when
it has a diagnostic to place: the positioned parser alone takes longer than the whole load.

${table}

Cold start, median of ${RUNS * 3} interleaved runs: \`node -e 0\` ${nodeMs.toFixed(1)} ms,
\`dokomodo --version\` ${versionMs.toFixed(1)} ms (${(versionMs / nodeMs).toFixed(2)}×; target ≤ 1.5×).`;
recordSection('platform', 'Platform file: load, validate, compute ports (`bench/platform.mjs`)', md);
console.log(md);
