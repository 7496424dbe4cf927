// Benchmark: `dokomodo recover` of a host with 50 assetchains and KMD (the devnet's komodod and
// Iguana installed as the host's `komodod` and `iguana`), from a wiped home to verified, against
// the baseline of the same steps as separate dokomodo commands in sequence — start, keys import,
// Iguana started by hand, iguana up, utxo consolidate, (a confirmation), utxo split, then status,
// utxo status and iguana status to verify — on the same platform file, each run in a fresh home.
// Both skip the Ansible deploy (this machine is the host; measured apart in the recover test:
// about 8 s for one test host). Alternating pairs; medians. Options: BENCH_PAIRS (default 3),
// BENCH_CHAINS (default 50), BENCH_NO_RECORD=1 to only print.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, recordSection } from './record.mjs';

const cli = join(process.cwd(), 'bin/dokomodo.js');
const PASSPHRASE = 'myverysecretandstrongpassphrase_noneabletobrute'; // the published test vector
const PUBKEY = '02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1';
const pairs = Number(process.env.BENCH_PAIRS ?? 3);
const N = Number(process.env.BENCH_CHAINS ?? 50);
const base = 26000;
const igPort = base - 1;
const dir = mkdtempSync(join(tmpdir(), 'dokomodo-bench-recover-'));
const bin = join(dir, 'bin');
mkdirSync(bin);
writeFileSync(
  join(bin, 'komodod'),
  `#!/bin/sh\nexec ${process.execPath} ${join(process.cwd(), 'dist/komodod.js')} "$@" -devnet-blocktime=1 -devnet-maturity=1\n`,
  { mode: 0o755 },
);
writeFileSync(
  join(bin, 'iguana'),
  `#!/bin/sh\nexec ${process.execPath} ${join(process.cwd(), 'dist/iguana.js')} "$@"\n`,
  {
    mode: 0o755,
  },
);
const SEEDS = ['198.51.100.10', '198.51.100.11'];
const names = Array.from({ length: N }, (_, i) => `RB${String(i).padStart(3, '0')}`);
const file = join(dir, 'dokomodo.yaml');
writeFileSync(
  file,
  `version: 1
defaults:
  pubkey: ${PUBKEY}
  binaries: { komodod: ${join(bin, 'komodod')}, iguana: ${join(bin, 'iguana')} }
  start: { concurrency: 16, timeout: 120s }
hosts:
  here: { address: 127.0.0.1, roles: [chains, iguana] }
chains:
  KMD: { host: here, ports: { p2p: ${base - 3}, rpc: ${base - 2}, override: true } }
${names.map((n, i) => `  ${n}: { host: here, params: { ac_supply: ${310000 + i} }, ports: { p2p: ${base + 2 * i}, rpc: ${base + 2 * i + 1}, override: true } }`).join('\n')}
iguana:
  main: { host: here, port: ${igPort}, coins: [KMD, ${names.join(', ')}], notaries: dev, myip: 203.0.113.7 }
notaries:
  dev:
    minsigs: 1
    seeds: [${[...SEEDS, ...SEEDS, ...SEEDS, ...SEEDS].join(', ')}]
    list:
      - { name: bench_EU, pubkey: ${PUBKEY} }
`,
);

let round = 0;
/** A wiped home: nothing but the Iguana's working directory with its elected file (what deploy puts there). */
function freshHome() {
  const home = join(dir, `home${round++}`);
  const work = join(home, 'dPoW', 'iguana');
  mkdirSync(work, { recursive: true });
  writeFileSync(
    join(work, 'elected'),
    JSON.stringify({
      port: 13848,
      BTCminsigs: 1,
      minsigs: 1,
      seeds: [...SEEDS, ...SEEDS, ...SEEDS, ...SEEDS],
      notaries: [{ bench_EU: PUBKEY }],
    }),
  );
  return home;
}
const envOf = (home) => ({
  ...process.env,
  HOME: home,
  NO_COLOR: '1',
  DOKOMODO_SECRET: 'bench-secret-0123456789abcdef',
  DOKOMODO_PASSPHRASE: PASSPHRASE,
});
function dk(home, args) {
  const r = spawnSync(process.execPath, [cli, ...args, '-f', file], {
    encoding: 'utf8',
    env: envOf(home),
    maxBuffer: 1 << 26,
  });
  return r;
}
function must(home, args) {
  const r = dk(home, args);
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stdout.slice(-1500)} ${r.stderr.slice(-1500)}`);
  return r;
}
function teardown(home) {
  dk(home, ['stop']);
  spawnSync('pkill', ['-f', `${join(process.cwd(), 'dist/iguana.js')} notary`]);
}

function viaRecover() {
  const home = freshHome();
  const t0 = process.hrtime.bigint();
  const r = must(home, ['recover', '--host', 'here', '--no-deploy', '--consolidate', '--json']);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const out = JSON.parse(r.stdout);
  if (!out.ok) throw new Error(`recover: ${r.stdout.slice(-2000)}`);
  teardown(home);
  return { ms, phases: Object.fromEntries(out.phases.map((p) => [p.phase, p.durationMs])) };
}

async function bySteps() {
  const home = freshHome();
  const t0 = process.hrtime.bigint();
  must(home, ['start']);
  must(home, ['keys', 'import']);
  const work = join(home, 'dPoW', 'iguana');
  const ig = spawn(join(bin, 'iguana'), ['notary', `-port=${igPort}`], {
    cwd: work,
    detached: true,
    stdio: 'ignore',
  });
  ig.unref();
  must(home, ['iguana', 'up']);
  must(home, ['utxo', 'consolidate']);
  // A split spends confirmed outputs only: wait for the consolidations' block (the devnet mines every second).
  for (let i = 0; i < 60; i++) {
    const s = JSON.parse(must(home, ['utxo', 'status', '--json']).stdout);
    if (s.every((x) => (x.result?.funding?.count ?? 0) > 0)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  must(home, ['utxo', 'split']);
  must(home, ['status']);
  must(home, ['utxo', 'status']);
  must(home, ['iguana', 'status']);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  teardown(home);
  return { ms };
}

const rec = [];
const steps = [];
try {
  for (let p = 0; p < pairs; p++) {
    if (p % 2 === 0) {
      rec.push(viaRecover());
      steps.push(await bySteps());
    } else {
      steps.push(await bySteps());
      rec.push(viaRecover());
    }
  }
} finally {
  spawnSync('pkill', ['-f', `${join(process.cwd(), 'dist/iguana.js')} notary`]);
  spawnSync('pkill', ['-f', `${join(process.cwd(), 'dist/komodod.js')}.*${dir}`]);
  rmSync(dir, { recursive: true, force: true });
}
const m = (xs) => median(xs).toFixed(0);
const phases = Object.keys(rec[0].phases);
const load = loadavg()
  .map((x) => x.toFixed(1))
  .join(' / ');
const md = `One host (this machine) with KMD and ${N} assetchains, one Iguana notarizing all ${N + 1}; the
devnet's komodod (1 s blocks, coinbase mature after one) and Iguana installed as the host's
\`komodod\` and \`iguana\`. From a wiped home (only Iguana's working directory with its elected
file, what the deploy puts there) to verified. \`recover --host here --no-deploy --consolidate\`
against the same steps as separate commands in sequence: \`start\`, \`keys import\`, Iguana started
by hand, \`iguana up\`, \`utxo consolidate\`, waiting for its block (\`utxo status\` polled),
\`utxo split\`, then \`status\`, \`utxo status\`, \`iguana status\`. ${pairs} alternating pairs, medians.
The deploy phase (Ansible) is not in either: about 8 s for one test host in test/operator/recover.test.ts.

| | wall |
|---|---:|
| separate commands (baseline) | ${m(steps.map((x) => x.ms))} ms |
| \`dokomodo recover\` | ${m(rec.map((x) => x.ms))} ms |

\`recover\` per phase (median ms): ${phases.map((p) => `${p} ${m(rec.map((x) => x.phases[p]))}`).join(', ')}.

Load average at the end: ${load} (1/5/15 min; 2 cores).

Recover takes **${(median(rec.map((x) => x.ms)) / 1000).toFixed(1)} s** (target: under 60 s), **${(median(steps.map((x) => x.ms)) / median(rec.map((x) => x.ms))).toFixed(2)}×** faster than the same steps by hand.`;
console.log(md);
console.log(
  `recover: ${rec.map((x) => x.ms.toFixed(0)).join(' ')}; steps: ${steps.map((x) => x.ms.toFixed(0)).join(' ')}`,
);
if (!process.env.BENCH_NO_RECORD)
  recordSection('recover', '`recover` of a host with 50 devnet chains (`bench/recover.mjs`)', md);
