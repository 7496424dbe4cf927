// Benchmark: a second `dokomodo deploy` with nothing to do, on 3 throw-away SSH hosts on loopback
// (test/harness/testhosts.sh: one sshd and Unix user each), against the baseline of one SSH round
// trip per host (`ssh HOST true`, a new connection each, one host after the other) in the same
// run; and, for scale, the same deploy with --full (Ansible compares every host). The deploy
// command is whole: start-up, render of the tree, one digest read per host. Needs root.
// Options: BENCH_PAIRS (default 5), BENCH_NO_RECORD=1 to only print.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, recordSection } from './record.mjs';

if (process.getuid?.() !== 0) {
  console.log('bench/deploy.mjs: skipped (needs root for its SSH test hosts)');
  process.exit(0);
}
const cli = join(process.cwd(), 'bin/dokomodo.js');
const pairs = Number(process.env.BENCH_PAIRS ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'dk-bd-'));
execFileSync('chmod', ['755', dir]);
const th = join(dir, 'th');
const port = 2800 + (process.pid % 500);
const up = spawnSync('bash', ['test/harness/testhosts.sh', 'up', '3'], {
  env: {
    ...process.env,
    TESTHOSTS_DIR: th,
    TESTHOSTS_PORT: String(port),
    TESTHOSTS_PREFIX: `dkd${process.pid}h`,
  },
  encoding: 'utf8',
});
if (up.status !== 0) throw new Error(`testhosts up: ${up.stderr}`);
const hosts = JSON.parse(readFileSync(join(th, 'hosts.json'), 'utf8'));
const key = join(th, 'id_ed25519');
const known = join(th, 'known_hosts');
const bin = join(dir, 'binaries');
mkdirSync(bin);
for (const b of ['komodod', 'komodo-cli'])
  writeFileSync(join(bin, b), `#!/bin/sh\necho ${b}\n`, { mode: 0o755 });
const file = join(dir, 'dokomodo.yaml');
writeFileSync(
  file,
  `version: 1
defaults:
  binaries: { komodod: ~/bin/komodod, komodo-cli: ~/bin/komodo-cli }
hosts:
${hosts.map((h, i) => `  h${i}: { address: ${h.address}, home: ${h.home}, roles: [chains], ssh: { user: ${h.user}, port: ${h.port}, key: ${key}, known_hosts: ${known} } }`).join('\n')}
chains:
${hosts.flatMap((_, i) => [0, 1, 2, 3].map((k) => `  BD${i}${k}: { host: h${i}, params: { ac_supply: ${910000 + 10 * i + k} } }`)).join('\n')}
`,
);
const env = {
  ...process.env,
  NO_COLOR: '1',
  DOKOMODO_SECRET: 'bench-secret-0123456789abcdef',
  ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
  ANSIBLE_HOME: join(dir, 'ansible-home'),
  ANSIBLE_SSH_CONTROL_PATH_DIR: join(dir, 'cp'),
  ANSIBLE_PIPELINING: '1',
};
const extra = [
  '--extra-vars',
  'dokomodo_manage_os=false',
  'dokomodo_manage_firewall=false',
  `dokomodo_binaries_src=${bin}`,
];
function deploy(args = []) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, 'deploy', '--json', '-f', file, ...extra, ...args], {
    env,
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0)
    throw new Error(`deploy ${args.join(' ')}: ${r.stdout.slice(-1500)} ${r.stderr.slice(-1500)}`);
  const states = JSON.parse(r.stdout).hosts.map((h) => h.state);
  return { ms, states };
}
function roundTrips() {
  const t0 = process.hrtime.bigint();
  for (const h of hosts) {
    const r = spawnSync('ssh', [
      '-i',
      key,
      '-o',
      `UserKnownHostsFile=${known}`,
      '-o',
      'BatchMode=yes',
      '-o',
      'ControlPath=none',
      '-p',
      String(h.port),
      `${h.user}@${h.address}`,
      'true',
    ]);
    if (r.status !== 0) throw new Error(`ssh ${h.address}: ${r.stderr}`);
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const second = [];
const ssh = [];
const full = [];
try {
  const first = deploy();
  if (first.states.some((s) => s !== 'applied')) throw new Error(`first deploy: ${first.states}`);
  deploy(); // warm-up
  for (let p = 0; p < pairs; p++) {
    if (p % 2) {
      ssh.push(roundTrips());
      second.push(deploy());
    } else {
      second.push(deploy());
      ssh.push(roundTrips());
    }
  }
  for (let p = 0; p < 2; p++) full.push(deploy(['--full']));
} finally {
  spawnSync('bash', ['test/harness/testhosts.sh', 'down'], { env: { ...process.env, TESTHOSTS_DIR: th } });
  rmSync(dir, { recursive: true, force: true });
}
for (const r of [...second, ...full])
  if (r.states.some((s) => s !== 'unchanged')) throw new Error(`expected unchanged, got ${r.states}`);
const s2 = median(second.map((r) => r.ms));
const rt = median(ssh);
const load = loadavg()
  .map((x) => x.toFixed(1))
  .join(' / ');
const md = `3 throw-away SSH hosts on loopback (own sshd and Unix user each), 4 chains each, deployed once.
Then \`dokomodo deploy\` again with nothing to do — the whole command: start-up, render of the tree,
one read of the digest its last deploy left on each host — against one SSH round trip per host
(\`ssh HOST true\`, a new connection each, one host after the other), alternating, ${pairs} pairs, medians.
\`--full\` (Ansible compares each host) for scale, 2 runs.

| | wall |
|---|---:|
| one SSH round trip per host (baseline) | ${rt.toFixed(0)} ms |
| \`deploy\`, nothing to do | ${s2.toFixed(0)} ms |
| \`deploy --full\`, nothing to do (Ansible) | ${median(full.map((r) => r.ms)).toFixed(0)} ms |

Load average at the end: ${load} (1/5/15 min; 2 cores).

A second deploy costs **${(s2 / rt).toFixed(2)}×** the round trips (target ≤ 2×), every host \`unchanged\`.`;
console.log(md);
if (!process.env.BENCH_NO_RECORD)
  recordSection('deploy', 'A second `deploy` with nothing to do (`bench/deploy.mjs`)', md);
