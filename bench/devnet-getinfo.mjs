// Devnet simulator throughput: one simulated komodod chain (dist/komodod.js, its own process, so
// one core) answering `getinfo` over keep-alive connections, against a baseline in the same run:
// a bare node:http server returning a fixed JSON reply, loaded the same way. Each phase runs for a
// fixed time (bounded). Results go to docs/benchmarks.md via recordSection().
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { recordSection } from './record.mjs';

const DURATION_MS = Number(process.env.BENCH_MS ?? 3000);
const CONNECTIONS = 16;
const root = new URL('..', import.meta.url).pathname;

if (!existsSync(path.join(root, 'dist/komodod.js'))) {
  spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined elsewhere. */
function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

async function waitReady(port, headers, body) {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1 });
  try {
    for (let i = 0; i < 200; i++) {
      try {
        const res = await pool.request({ path: '/', method: 'POST', headers, body });
        const text = await res.body.text();
        if (res.statusCode === 200) return text;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await pool.close();
  }
  throw new Error(`server on ${port} did not become ready`);
}

/** Keeps CONNECTIONS requests in flight for DURATION_MS; returns requests/s and mean latency. */
async function load(port, headers, body, pid) {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNECTIONS, pipelining: 1 });
  let done = 0;
  let failed = 0;
  let latencySum = 0;
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  const end = t0 + DURATION_MS;
  const worker = async () => {
    while (performance.now() < end) {
      const s = performance.now();
      try {
        const res = await pool.request({ path: '/', method: 'POST', headers, body });
        await res.body.text();
        if (res.statusCode === 200) done++;
        else failed++;
      } catch {
        failed++;
      }
      latencySum += performance.now() - s;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const secs = (performance.now() - t0) / 1000;
  const cpu1 = cpuSeconds(pid);
  await pool.close();
  return {
    rps: done / secs,
    failed,
    meanMs: latencySum / Math.max(1, done + failed),
    cpu: cpu0 === undefined || cpu1 === undefined ? undefined : (cpu1 - cpu0) / secs,
  };
}

const home = mkdtempSync(path.join(os.tmpdir(), 'dk-bench-'));
const children = [];
try {
  // --- the simulator
  const rpcport = await freePort();
  const sim = spawn(
    process.execPath,
    [
      path.join(root, 'dist/komodod.js'),
      '-ac_name=DKBENCH',
      '-ac_supply=1000000',
      `-rpcport=${rpcport}`,
      '-devnet-blocktime=0',
      '-devnet-save=0',
    ],
    { env: { ...process.env, HOME: home }, stdio: 'ignore' },
  );
  children.push(sim);
  const conf = path.join(home, '.komodo/DKBENCH/DKBENCH.conf');
  for (let i = 0; i < 200 && !existsSync(conf); i++) await new Promise((r) => setTimeout(r, 25));
  const text = readFileSync(conf, 'utf8');
  const user = /^rpcuser=(.*)$/m.exec(text)[1];
  const password = /^rpcpassword=(.*)$/m.exec(text)[1];
  const auth = {
    'content-type': 'application/json',
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  };
  const getinfo = JSON.stringify({ jsonrpc: '1.0', id: 'bench', method: 'getinfo', params: [] });
  const sample = await waitReady(rpcport, auth, getinfo);
  const info = JSON.parse(sample).result;
  if (info.name !== 'DKBENCH') throw new Error('unexpected getinfo reply');

  // --- the baseline: a bare node:http server returning that same reply text, no auth, no work
  const basePort = await freePort();
  const baseline = spawn(
    process.execPath,
    [
      '-e',
      `const body = ${JSON.stringify(sample)};
       require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => s.writeHead(200, { 'Content-Type': 'application/json' }).end(body)); })
         .listen(${basePort}, '127.0.0.1');`,
    ],
    { stdio: 'ignore' },
  );
  children.push(baseline);
  await waitReady(basePort, { 'content-type': 'application/json' }, getinfo);

  // warm both up briefly (JIT), then measure
  const warm = Number(process.env.BENCH_WARM_MS ?? 500);
  const warmup = async (port, headers) => {
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNECTIONS });
    const end = performance.now() + warm;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (performance.now() < end)
          await (await pool.request({ path: '/', method: 'POST', headers, body: getinfo })).body.text();
      }),
    );
    await pool.close();
  };
  await warmup(rpcport, auth);
  await warmup(basePort, { 'content-type': 'application/json' });
  const base = await load(basePort, { 'content-type': 'application/json' }, getinfo, baseline.pid);
  const devnet = await load(rpcport, auth, getinfo, sim.pid);

  const fmt = (x) => Math.round(x).toLocaleString('en-US');
  const overhead =
    base.cpu && devnet.cpu
      ? `${(base.rps / base.cpu / (devnet.rps / devnet.cpu)).toFixed(2)}×`
      : `${(base.rps / devnet.rps).toFixed(2)}× (by wall time)`;
  const pct = (x) => (x === undefined ? 'n/a' : `${Math.round(x * 100)} %`);
  const rows = [
    ['bare node:http, fixed JSON (baseline)', base],
    ['devnet komodod `getinfo` (auth + state + 8-decimal JSON)', devnet],
  ];
  const md = `One simulated chain (\`dist/komodod.js\`, a single Node process) answering \`getinfo\` over ${CONNECTIONS} keep-alive
connections (undici Pool) for ${(DURATION_MS / 1000).toFixed(1)} s, after a ${warm} ms warm-up. Baseline: a bare
\`node:http\` server in its own process returning the same reply bytes without authentication or state.
"server CPU" is the server process's CPU time over the run (100 % = one core).

| server | requests/s | mean latency | server CPU | requests per server CPU-second | failed |
|---|---:|---:|---:|---:|---:|
${rows.map(([n, r]) => `| ${n} | ${fmt(r.rps)} | ${r.meanMs.toFixed(2)} ms | ${pct(r.cpu)} | ${r.cpu ? fmt(r.rps / r.cpu) : 'n/a'} | ${r.failed} |`).join('\n')}

When the baseline server does not reach 100 % CPU the load generator (same machine, ${os.cpus().length} cores) is the limit,
so the fair comparison is per server CPU-second: the simulator costs ${overhead} the baseline's CPU per request.
Target ≥ 5,000 getinfo/s on one core: ${devnet.rps >= 5000 ? 'met' : '**not met**'}.
`;
  recordSection('devnet-getinfo', 'Devnet: simulated komodod getinfo throughput', md);
  console.log(md);
  if (devnet.failed > 0 || base.failed > 0) process.exitCode = 1;
} finally {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 100));
  rmSync(home, { recursive: true, force: true });
}
