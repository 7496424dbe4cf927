// Benchmark: `dokomodo status --json` over 1000 devnet chains against its floor
// (bench/floor-status.mjs: the same calls over raw sockets), whole processes with start-up, in
// the same run against the same devnet, alternating, medians. Wall from the parent's clock, CPU
// (user + system) from GNU time, the simulator's CPU from /proc between runs.
// Options: BENCH_PAIRS (default 7), BENCH_CHAINS (default 1000), BENCH_NO_RECORD=1 to only print.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, recordSection } from './record.mjs';

const cli = join(process.cwd(), 'bin/dokomodo.js');
const floor = join(process.cwd(), 'bench/floor-status.mjs');
const secret = 'bench-secret-0123456789abcdef';
const env = { ...process.env, NO_COLOR: '1', DOKOMODO_SECRET: secret, BENCH_SECRET: secret };
const pairs = Number(process.env.BENCH_PAIRS ?? 7);
const n = Number(process.env.BENCH_CHAINS ?? 1000);
const base = 20000;
const dir = mkdtempSync(join(tmpdir(), 'dokomodo-bench-status-'));
const ticks = 100; // USER_HZ on Linux

const lines = ['version: 1', 'chains:'];
for (let i = 0; i < n; i++) {
  lines.push(
    `  BENCH${String(i).padStart(4, '0')}: { params: { ac_supply: ${100000 + i} }, ports: { p2p: ${base + 2 * i}, rpc: ${base + 2 * i + 1}, override: true } }`,
  );
}
const file = join(dir, 'platform.yaml');
writeFileSync(file, `${lines.join('\n')}\n`);

function serverCpu(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / ticks; // utime + stime, seconds
}

/** One whole process under GNU time: wall ms, CPU ms, server CPU ms, and its stdout. */
function run(args, serverPid, extraEnv = {}) {
  const timeFile = join(dir, 'time.txt');
  const s0 = serverCpu(serverPid);
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%U %S', process.execPath, ...args], {
    encoding: 'utf8',
    env: { ...env, ...extraEnv },
    maxBuffer: 1 << 28,
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const server = (serverCpu(serverPid) - s0) * 1000;
  const [u, s] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return { wall, cpu: (u + s) * 1000, server, stdout: r.stdout };
}

const devnetDir = join(dir, 'devnet');
execFileSync(
  process.execPath,
  [cli, 'devnet', 'up', '--detach', '--datadir', devnetDir, '--blocktime', '0', '-f', file],
  {
    env,
    stdio: 'ignore',
  },
);
const serverPid = Number(readFileSync(join(devnetDir, 'devnet.pid'), 'utf8'));
const clients = {
  floor: [floor, String(n), String(base)],
  nodeHttp: [floor, String(n), String(base), '--node-http'],
  ours: [cli, 'status', '--json', '-f', file],
  // the same, loading the platform file in full every time (no platform cache)
  oursCold: [cli, 'status', '--json', '-f', file],
};
const clientEnv = { oursCold: { DOKOMODO_PLATFORM_CACHE: 'off' } };
const runs = { floor: [], nodeHttp: [], ours: [], oursCold: [] };
const loadBefore = os.loadavg()[0];
try {
  // One of each first, unmeasured: the page cache and the simulator's JIT warm for all alike.
  for (const [which, args] of Object.entries(clients)) run(args, serverPid, clientEnv[which]);
  const order = Object.keys(clients);
  for (let p = 0; p < pairs; p++) {
    // rotate the order so that none always runs first or last
    for (let k = 0; k < order.length; k++) {
      const which = order[(p + k) % order.length];
      const r = run(clients[which], serverPid, clientEnv[which]);
      const out = JSON.parse(r.stdout);
      const up = which.startsWith('ours')
        ? out.chains.filter((c) => c.state === 'running').length
        : out.running;
      if (up !== n) throw new Error(`${which} saw ${up} of ${n} running`);
      runs[which].push(r);
    }
  }
} finally {
  execFileSync(process.execPath, [cli, 'devnet', 'down', '--datadir', devnetDir], { env, stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}
const { floor: theirs, nodeHttp, ours, oursCold } = runs;
const loadAfter = os.loadavg()[0];

const m = (xs, k) => median(xs.map((x) => x[k]));
const row = (label, xs) =>
  `| ${label} | ${m(xs, 'wall').toFixed(0)} ms | ${m(xs, 'cpu').toFixed(0)} ms | ${m(xs, 'server').toFixed(0)} ms |`;
const wallRatio = m(ours, 'wall') / m(theirs, 'wall');
const cpuRatio = m(ours, 'cpu') / m(theirs, 'cpu');
const md = `${n} devnet chains in one simulator process (\`devnet up --detach --blocktime 0\`). Each run is a
fresh process, start-up and loading the platform file included; \`dokomodo status --json\` and the
floor (\`bench/floor-status.mjs\`: the same getinfo — and getblockheader of the notarized hash when
there is one — over raw sockets with a minimal HTTP reader, 64 at once) and the same floor script
through Node's own HTTP client take turns in rotating order, ${pairs} rounds after one unmeasured run
of each (the unmeasured run fills the platform cache, as the first of an operator's commands does); medians. Load average before and after: ${loadBefore.toFixed(1)} and ${loadAfter.toFixed(1)}. CPU is the client process's user + system time (GNU time);
"simulator CPU" is what the devnet process spent during the run. Target: within 1.5× the floor,
wall and CPU.

| client | wall | CPU | simulator CPU |
|---|---:|---:|---:|
${row('floor: raw sockets (`bench/floor-status.mjs`)', theirs)}
${row('the same calls through `node:http` (`--node-http`)', nodeHttp)}
${row('`dokomodo status --json` (platform cache warm: a command run again)', ours)}
${row('`dokomodo status --json`, `DOKOMODO_PLATFORM_CACHE=off` (full load)', oursCold)}

Ratio (warm): wall **${wallRatio.toFixed(2)}×**, CPU **${cpuRatio.toFixed(2)}×** the floor; full load: wall
${(m(oursCold, 'wall') / m(theirs, 'wall')).toFixed(2)}×, CPU ${(m(oursCold, 'cpu') / m(theirs, 'cpu')).toFixed(2)}× (\`node:http\`: wall
${(m(nodeHttp, 'wall') / m(theirs, 'wall')).toFixed(2)}×, CPU ${(m(nodeHttp, 'cpu') / m(theirs, 'cpu')).toFixed(2)}×).`;
console.log(md);
for (const [k, xs] of Object.entries(runs))
  console.log(
    `${k}: wall ${xs.map((r) => r.wall.toFixed(0)).join(' ')}; cpu ${xs.map((r) => r.cpu.toFixed(0)).join(' ')}`,
  );
if (!process.env.BENCH_NO_RECORD)
  recordSection('status', '`dokomodo status` against its raw-socket floor (`bench/status.mjs`)', md);
