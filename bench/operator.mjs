// Benchmark: the operator commands against the devnet.
// 1. `dokomodo status` over 100, 500 and 1000 chains, against the shell tools' way: one `curl`
//    process per chain, one after another, in the same run on the same devnet.
// 2. Readiness-gated `dokomodo start --devnet` of 50 chains (each counts once its RPC answers),
//    against the old scripts' fixed 20 s between chains, and a one-at-a-time start measured here.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordSection } from './record.mjs';

const cli = join(process.cwd(), 'bin/dokomodo.js');
const env = { ...process.env, NO_COLOR: '1', DOKOMODO_SECRET: 'bench-secret-0123456789abcdef' };
const dir = mkdtempSync(join(tmpdir(), 'dokomodo-bench-op-'));

/** A platform of n chains with explicit ports (20000 + 2i) so a thousand fit on one machine. */
function platform(n, base = 20000) {
  const lines = [
    'version: 1',
    'defaults: { start: { concurrency: 16, timeout: 120s }, stop: { timeout: 30s } }',
    'chains:',
  ];
  for (let i = 0; i < n; i++) {
    lines.push(
      `  BENCH${String(i).padStart(4, '0')}: { params: { ac_supply: ${100000 + i} }, ports: { p2p: ${base + 2 * i}, rpc: ${base + 2 * i + 1}, override: true } }`,
    );
  }
  const file = join(dir, `p${n}-${base}.yaml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function wall(args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8', env, maxBuffer: 1 << 28, ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, r };
}

// ---- 1. status
const statusRows = [];
const big = platform(1000);
const devnetDir = join(dir, 'devnet');
execFileSync(
  process.execPath,
  [cli, 'devnet', 'up', '--detach', '--datadir', devnetDir, '--blocktime', '0', '-f', big],
  { env, stdio: 'ignore' },
);
try {
  for (const n of [100, 500, 1000]) {
    const file = platform(n); // the first n chains of the same devnet
    const ours = [];
    for (let i = 0; i < 3; i++) {
      const { ms, r } = wall([process.execPath, cli, 'status', '--json', '-f', file]);
      const s = JSON.parse(r.stdout);
      if (s.chains.filter((c) => c.state === 'running').length !== n)
        throw new Error(`status saw ${JSON.stringify(s.chains.find((c) => c.state !== 'running'))}`);
      ours.push(ms);
    }
    // Baseline: one curl process per chain, sequentially, credentials from each conf.
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const name = `BENCH${String(i).padStart(4, '0')}`;
      const conf = readFileSync(join(devnetDir, name, `${name}.conf`), 'utf8');
      const user = /^rpcuser=(.*)$/m.exec(conf)[1];
      const pass = /^rpcpassword=(.*)$/m.exec(conf)[1];
      const port = /^rpcport=(.*)$/m.exec(conf)[1];
      const out = execFileSync(
        'curl',
        [
          '-s',
          '--user',
          `${user}:${pass}`,
          '--data-binary',
          '{"jsonrpc":"1.0","id":"curltest","method":"getinfo","params":[]}',
          '-H',
          'content-type: text/plain;',
          `http://127.0.0.1:${port}/`,
        ],
        { encoding: 'utf8' },
      );
      if (!out.includes('"blocks"')) throw new Error(`curl: ${out}`);
    }
    const curlMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const m = Math.min(...ours);
    statusRows.push({ n, ours: m, curl: curlMs });
    console.log(`status ${n}: dokomodo ${m.toFixed(0)} ms, curl ${curlMs.toFixed(0)} ms`);
  }
} finally {
  execFileSync(process.execPath, [cli, 'devnet', 'down', '--datadir', devnetDir], { env, stdio: 'ignore' });
}

// ---- 2. start of 50 chains
const fifty = platform(50, 30000);
const gated = wall([
  process.execPath,
  cli,
  'start',
  '--devnet',
  '--datadir',
  join(dir, 's1'),
  '--concurrency',
  '16',
  '-f',
  fifty,
]);
if (gated.r.status !== 0) throw new Error(gated.r.stdout + gated.r.stderr);
execFileSync(process.execPath, [cli, 'stop', '--datadir', join(dir, 's1'), '-f', fifty], {
  env,
  stdio: 'ignore',
});
const serial = wall([
  process.execPath,
  cli,
  'start',
  '--devnet',
  '--datadir',
  join(dir, 's2'),
  '--concurrency',
  '1',
  '-f',
  fifty,
]);
execFileSync(process.execPath, [cli, 'stop', '--datadir', join(dir, 's2'), '-f', fifty], {
  env,
  stdio: 'ignore',
});
const fixed = 50 * 20_000;
rmSync(dir, { recursive: true, force: true });

const md = `### \`dokomodo status\` against one \`curl\` per chain

Devnet of 1000 simulated chains in one process (\`devnet up --detach\`); \`status --json\` is a
fresh process (best of 3) including start-up and loading the platform file; the baseline runs
\`curl\` once per chain, sequentially, as the shell tools do. Targets: ≥ 30× faster and < 1 s at 1000.
On this 2-core machine one simulator process answers all 1000 chains on one core while dokomodo
runs on the other; a CPU profile of the status process shows it idle about half the time, waiting
for the simulator, so the ratio here is bounded by the simulator, not by the fan-out (real daemons
are separate processes).

| chains | one \`curl\` per chain (baseline) | \`dokomodo status\` | speed-up |
|---:|---:|---:|---:|
${statusRows.map((r) => `| ${r.n} | ${r.curl.toFixed(0)} ms | ${r.ours.toFixed(0)} ms | ${(r.curl / r.ours).toFixed(1)}× |`).join('\n')}

### Readiness-gated start of 50 devnet chains

| schedule | wall time |
|---|---:|
| old scripts: fixed 20 s between chains (computed: 50 × 20 s) | ${(fixed / 1000).toFixed(0)} s |
| \`dokomodo start --concurrency 1\` (one at a time, each as soon as its RPC answers) | ${(serial.ms / 1000).toFixed(1)} s |
| \`dokomodo start --concurrency 16\` | ${(gated.ms / 1000).toFixed(1)} s |`;
recordSection('operator', 'Operator commands on the devnet (`bench/operator.mjs`)', md);
console.log(md);
