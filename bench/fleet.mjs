// Benchmark: `dokomodo status --json` of chains on another host (reached over SSH: one master
// connection, each chain's RPC port forwarded to a Unix socket) against the same chains asked
// directly on this machine, in the same run against the same daemons. The other host is a
// throw-away SSH host on loopback (test/harness/testhosts.sh: its own sshd and Unix user); the
// daemons are one devnet process bound to 127.0.0.1, which that host's loopback reaches too.
// "cold": a fresh control directory per run (SSH handshake + forwards every time); "warm": the
// master connection left by the previous run (ControlPersist) is reused, as in day-to-day use.
// Needs root (the test host). Options: BENCH_PAIRS (default 5), BENCH_CHAINS (default 100),
// BENCH_NO_RECORD=1 to only print.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, recordSection } from './record.mjs';

if (process.getuid?.() !== 0) {
  console.log('bench/fleet.mjs: skipped (needs root for its SSH test host)');
  process.exit(0);
}
const cli = join(process.cwd(), 'bin/dokomodo.js');
const secret = 'bench-secret-0123456789abcdef';
const pairs = Number(process.env.BENCH_PAIRS ?? 5);
const n = Number(process.env.BENCH_CHAINS ?? 100);
const base = 21000;
const dir = mkdtempSync(join(tmpdir(), 'dk-bf-'));
// The test host's user must reach its home inside it.
execFileSync('chmod', ['755', dir]);
const th = join(dir, 'th');
const port = 2300 + (process.pid % 500);
const up = spawnSync('bash', ['test/harness/testhosts.sh', 'up', '1'], {
  env: {
    ...process.env,
    TESTHOSTS_DIR: th,
    TESTHOSTS_PORT: String(port),
    TESTHOSTS_PREFIX: `dkb${process.pid}h`,
  },
  encoding: 'utf8',
});
if (up.status !== 0) throw new Error(`testhosts up: ${up.stderr}`);
const [host] = JSON.parse(readFileSync(join(th, 'hosts.json'), 'utf8'));

const chains = (withHost) => {
  const lines = [];
  for (let i = 0; i < n; i++) {
    lines.push(
      `  FLEET${String(i).padStart(4, '0')}: { ${withHost ? 'host: far, ' : ''}params: { ac_supply: ${200000 + i} }, ports: { p2p: ${base + 2 * i}, rpc: ${base + 2 * i + 1}, override: true } }`,
    );
  }
  return lines.join('\n');
};
const direct = join(dir, 'direct.yaml');
writeFileSync(direct, `version: 1\nchains:\n${chains(false)}\n`);
const remote = join(dir, 'remote.yaml');
writeFileSync(
  remote,
  `version: 1
hosts:
  far: { address: ${host.address}, home: ${host.home}, ssh: { user: ${host.user}, port: ${host.port}, key: ${join(th, 'id_ed25519')}, known_hosts: ${join(th, 'known_hosts')} } }
chains:
${chains(true)}
`,
);

let cold = 0;
function run(file, mode) {
  const tmp = mode === 'cold' ? mkdtempSync(join(dir, `c${cold++}-`)) : join(dir, 'warm');
  if (mode === 'warm') execFileSync('mkdir', ['-p', tmp]);
  const timeFile = join(dir, 'time.txt');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(
    '/usr/bin/time',
    ['-o', timeFile, '-f', '%U %S', process.execPath, cli, 'status', '--json', '-f', file],
    {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', DOKOMODO_SECRET: secret, TMPDIR: tmp },
      maxBuffer: 1 << 26,
    },
  );
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const [u, s] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  const out = JSON.parse(r.stdout);
  const running = out.chains.filter((c) => c.state === 'running').length;
  if (running !== n) throw new Error(`${mode}: ${running} of ${n} running\n${r.stderr}`);
  return { wall, cpu: (u + s) * 1000 };
}

const devnetDir = join(dir, 'devnet');
const env = { ...process.env, DOKOMODO_SECRET: secret };
execFileSync(
  process.execPath,
  [cli, 'devnet', 'up', '--detach', '--datadir', devnetDir, '--blocktime', '0', '-f', direct],
  {
    env,
    stdio: 'ignore',
  },
);
const runs = { direct: [], cold: [], warm: [] };
try {
  run(direct, 'direct');
  run(remote, 'warm');
  const order = Object.keys(runs);
  for (let p = 0; p < pairs; p++) {
    for (let k = 0; k < order.length; k++) {
      const which = order[(p + k) % order.length];
      runs[which].push(run(which === 'direct' ? direct : remote, which));
    }
  }
} finally {
  execFileSync(process.execPath, [cli, 'devnet', 'down', '--datadir', devnetDir], { env, stdio: 'ignore' });
  spawnSync('bash', ['test/harness/testhosts.sh', 'down'], { env: { ...process.env, TESTHOSTS_DIR: th } });
  rmSync(dir, { recursive: true, force: true });
}
const m = (xs, k) => median(xs.map((x) => x[k]));
const row = (label, xs) => `| ${label} | ${m(xs, 'wall').toFixed(0)} ms | ${m(xs, 'cpu').toFixed(0)} ms |`;
const md = `${n} devnet chains (one simulator process on 127.0.0.1). \`dokomodo status --json\`, a fresh process
each run, asks them directly (a platform without hosts: baseline) or as the chains of another host
reached over SSH (a loopback test host with its own sshd: one master connection, each chain's RPC
port forwarded to a Unix socket, then the same calls through the sockets). Cold: a new control
directory per run (SSH handshake and ${n} forwards each time); warm: the master left by the previous
run is reused (ControlPersist 60 s, the day-to-day case; forwards are still set up per run).
Rotating order, ${pairs} rounds after one unmeasured run of each; medians. CPU is the dokomodo
process's user + system time (ssh's own processes not included).

| how | wall | CPU |
|---|---:|---:|
${row('direct (baseline)', runs.direct)}
${row('over SSH, cold', runs.cold)}
${row('over SSH, warm master', runs.warm)}

Over SSH costs **${(m(runs.cold, 'wall') / m(runs.direct, 'wall')).toFixed(2)}×** (cold) and **${(m(runs.warm, 'wall') / m(runs.direct, 'wall')).toFixed(2)}×** (warm) the direct wall time.`;
console.log(md);
for (const [k, xs] of Object.entries(runs))
  console.log(`${k}: wall ${xs.map((r) => r.wall.toFixed(0)).join(' ')}`);
if (!process.env.BENCH_NO_RECORD)
  recordSection('fleet', '`status` of another host’s chains over SSH (`bench/fleet.mjs`)', md);
