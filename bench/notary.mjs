// Benchmark: notary operations across 100 devnet chains in one run.
// `dokomodo keys import` and `dokomodo utxo status` with their fan-out, against the same commands
// doing the same calls one chain at a time (--concurrency 1), each on a fresh devnet of its own.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordSection } from './record.mjs';

const cli = join(process.cwd(), 'bin/dokomodo.js');
const PASSPHRASE = 'myverysecretandstrongpassphrase_noneabletobrute'; // the published test vector
const PUBKEY = '02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1';
const env = {
  ...process.env,
  NO_COLOR: '1',
  DOKOMODO_SECRET: 'bench-secret-0123456789abcdef',
  DOKOMODO_PASSPHRASE: PASSPHRASE,
};
const dir = mkdtempSync(join(tmpdir(), 'dokomodo-bench-notary-'));
const N = 100;

function platform(tag, base) {
  const lines = [
    'version: 1',
    `defaults: { pubkey: ${PUBKEY}, start: { concurrency: 16, timeout: 120s } }`,
    'chains:',
  ];
  for (let i = 0; i < N; i++) {
    lines.push(
      `  NB${tag}${String(i).padStart(3, '0')}: { params: { ac_supply: ${200000 + i} }, ports: { p2p: ${base + 2 * i}, rpc: ${base + 2 * i + 1}, override: true } }`,
    );
  }
  const file = join(dir, `${tag}.yaml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function wall(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env, maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stdout.slice(-1500)} ${r.stderr.slice(-1500)}`);
  return ms;
}

/** The shell tools' way: one curl process per call, chain after chain (nntools importprivkeys / stats). */
function curlLoop(tag, dn, calls) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const name = `NB${tag}${String(i).padStart(3, '0')}`;
    const conf = readFileSync(join(dn, name, `${name}.conf`), 'utf8');
    const auth = `${/^rpcuser=(.*)$/m.exec(conf)[1]}:${/^rpcpassword=(.*)$/m.exec(conf)[1]}`;
    const port = /^rpcport=(.*)$/m.exec(conf)[1];
    for (const [method, params] of calls) {
      const body = JSON.stringify({ jsonrpc: '1.0', id: 'curltest', method, params });
      const out = execFileSync(
        'curl',
        ['-s', '--user', auth, '--data-binary', body, `http://127.0.0.1:${port}/`],
        { encoding: 'utf8' },
      );
      if (!out.includes('"error":null')) throw new Error(`curl ${method}: ${out.slice(0, 200)}`);
    }
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const ADDRESS = 'RVNKRr2uxPMxJeDwFnTKjdtiLtcs7UzCZn';
const WIF = 'UtrRXqvRFUAtCrCTRAHPH6yroQKUrrTJRmxt2h5U4QTUN1jCxTAh';

const runs = [];
for (const [tag, base, concurrency] of [
  ['C', 43000, 0],
  ['S', 44000, 1],
  ['P', 45000, 32],
]) {
  const file = platform(tag, base);
  const dn = join(dir, `devnet-${tag}`);
  execFileSync(
    process.execPath,
    [cli, 'devnet', 'up', '--detach', '--datadir', dn, '--blocktime', '0', '-f', file],
    { env, stdio: 'ignore' },
  );
  try {
    if (concurrency === 0) {
      const imp = curlLoop(tag, dn, [
        ['validateaddress', [ADDRESS]],
        ['importprivkey', [WIF, '', false]],
        ['validateaddress', [ADDRESS]],
      ]);
      const again = curlLoop(tag, dn, [['validateaddress', [ADDRESS]]]);
      const utxo = curlLoop(tag, dn, [['listunspent', [1, 99999999, [ADDRESS]]]]);
      runs.push({ concurrency, imp, again, utxo });
      console.log(tag, { imp, again, utxo });
      continue;
    }
    const imp = wall(['keys', 'import', '--concurrency', String(concurrency), '-f', file]);
    const again = wall(['keys', 'import', '--concurrency', String(concurrency), '-f', file]);
    const utxo = wall(['utxo', 'status', '--concurrency', String(concurrency), '-f', file]);
    runs.push({ concurrency, imp, again, utxo });
    console.log(tag, { imp, again, utxo });
  } finally {
    execFileSync(process.execPath, [cli, 'devnet', 'down', '--datadir', dn], { env, stdio: 'ignore' });
  }
}
rmSync(dir, { recursive: true, force: true });
const [curl, serial, parallel] = runs;
const row = (what, key) =>
  `| ${what} | ${curl[key].toFixed(0)} ms | ${serial[key].toFixed(0)} ms | ${parallel[key].toFixed(0)} ms | ${(curl[key] / parallel[key]).toFixed(1)}× |`;
const md = `${N} devnet chains, a fresh devnet per column; each dokomodo figure is a whole process. Baseline:
the shell tools' way, one \`curl\` process per call, chain after chain (the same calls dokomodo
makes). The devnet answers in microseconds, so one chain at a time inside one dokomodo process
(\`--concurrency 1\`) is already close to the fan-out here; against real daemons, whose calls take
milliseconds to seconds, the fan-out is what keeps 100 chains within one call's time.

| command | one \`curl\` per call (baseline) | dokomodo, one chain at a time | dokomodo fan-out (\`--concurrency 32\`) | speed-up vs baseline |
|---|---:|---:|---:|---:|
${row('`keys import` (validateaddress, importprivkey, validateaddress)', 'imp')}
${row('`keys import` again (all already there)', 'again')}
${row('`utxo status` (listunspent by Iguana\u2019s rule)', 'utxo')}`;
recordSection('notary', 'Notary operations on 100 chains (`bench/notary.mjs`)', md);
console.log(md);
