// Benchmark: chain RPC through the relay's mTLS tunnel (src/relay/tunnel.ts) against direct calls
// in the same run. Two relay processes as on two hosts — the far one on 127.0.0.2 (tunnel server,
// connects to the chain on 127.0.0.1), the near one a listener on 127.0.0.1 — in front of one
// devnet chain (dist/komodod.js, its own process) and, to see the relay's own capacity, of a bare
// node:http server returning the same reply. Latency: one keep-alive connection, calls one after
// another, direct and relayed in alternating blocks; p50/p99 and the added p99. Throughput: 16
// keep-alive connections for BENCH_MS each. Every phase is bounded in calls or time.
// Options: BENCH_CALLS (latency calls per path, default 4000), BENCH_MS (default 3000),
// BENCH_NO_RECORD=1 to only print.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { Pool } from 'undici';
import { recordSection } from './record.mjs';

const root = new URL('..', import.meta.url).pathname;
const CALLS = Number(process.env.BENCH_CALLS ?? 4000);
const DURATION_MS = Number(process.env.BENCH_MS ?? 3000);
const CONNECTIONS = 16;
const BLOCK = 200;

if (!existsSync(path.join(root, 'dist/komodod.js')))
  spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

const home = mkdtempSync(path.join(os.tmpdir(), 'dk-bench-relay-'));
const children = [];

/** The relay's tunnel code bundled for plain node (the bench runs .mjs, the code is TypeScript). */
async function bundleRelay() {
  const entry = path.join(home, 'relay-entry.ts');
  writeFileSync(
    entry,
    `import { makeCerts, readTls } from ${JSON.stringify(path.join(root, 'src/relay/certs.ts'))};
import { startTunnelListener, startTunnelServer } from ${JSON.stringify(path.join(root, 'src/relay/tunnel.ts'))};
const [role, dir, a, b, c] = process.argv.slice(2);
if (role === 'certs') {
  await makeCerts({ dir, name: 'far', names: ['127.0.0.2'] });
  await makeCerts({ dir, name: 'near', names: ['127.0.0.1'] });
} else if (role === 'far') {
  const ports = new Map(a.split(',').map((p) => [Number(p), 'bench']));
  const s = await startTunnelServer({ host: '127.0.0.2', port: 0, tls: readTls(dir, 'far'), ports });
  console.log(JSON.stringify({ port: s.port }));
} else {
  const out = {};
  for (const remote of b.split(',')) {
    const l = await startTunnelListener({
      spec: { name: remote, listenPort: 0, remotePort: Number(remote), peer: { host: '127.0.0.2', port: Number(a) } },
      tls: readTls(dir, 'near'),
    });
    out[remote] = l.port;
  }
  console.log(JSON.stringify(out));
}
`,
  );
  const outfile = path.join(home, 'relay-bench.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    nodePaths: [path.join(root, 'node_modules')],
    logLevel: 'warning',
  });
  return outfile;
}

function startChild(args) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, value: JSON.parse(out.slice(0, nl)) });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}

async function ready(port, headers, body) {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1 });
  try {
    for (let i = 0; i < 200; i++) {
      try {
        const res = await pool.request({ path: '/', method: 'POST', headers, body });
        const text = await res.body.text();
        if (res.statusCode === 200) return text;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await pool.close();
  }
  throw new Error(`nothing answers on ${port}`);
}

const pct = (xs, p) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Sequential calls on one keep-alive connection each, direct and relayed in alternating blocks. */
async function latency(direct, relayed, headers, body) {
  const pools = {
    direct: new Pool(`http://127.0.0.1:${direct}`, { connections: 1 }),
    relayed: new Pool(`http://127.0.0.1:${relayed}`, { connections: 1 }),
  };
  const ms = { direct: [], relayed: [] };
  const call = async (which) => {
    const t = performance.now();
    const res = await pools[which].request({ path: '/', method: 'POST', headers, body });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${which}: HTTP ${res.statusCode}`);
    return performance.now() - t;
  };
  for (const w of ['direct', 'relayed']) for (let i = 0; i < 300; i++) await call(w); // warm-up
  for (let done = 0; done < CALLS; done += BLOCK)
    for (const w of done % (2 * BLOCK) === 0 ? ['direct', 'relayed'] : ['relayed', 'direct'])
      for (let i = 0; i < BLOCK; i++) ms[w].push(await call(w));
  await pools.direct.close();
  await pools.relayed.close();
  return ms;
}

/** CONNECTIONS requests in flight for DURATION_MS: calls/s. */
async function throughput(port, headers, body, pids) {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNECTIONS, pipelining: 1 });
  let done = 0;
  let failed = 0;
  const cpu0 = pids.map(cpuSeconds);
  const t0 = performance.now();
  const end = t0 + DURATION_MS;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        try {
          const res = await pool.request({ path: '/', method: 'POST', headers, body });
          await res.body.text();
          if (res.statusCode === 200) done++;
          else failed++;
        } catch {
          failed++;
        }
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu = pids.map((p, i) => ((cpuSeconds(p) ?? 0) - (cpu0[i] ?? 0)) / secs);
  await pool.close();
  return { rps: done / secs, failed, cpu };
}

try {
  const relayJs = await bundleRelay();
  const certDir = path.join(home, 'certs');
  spawnSync(process.execPath, [relayJs, 'certs', certDir], { stdio: 'inherit' });

  // the chain
  const rpcport = await freePort();
  const chain = spawn(
    process.execPath,
    [
      path.join(root, 'dist/komodod.js'),
      '-ac_name=DKRELAY',
      '-ac_supply=1000000',
      `-rpcport=${rpcport}`,
      '-devnet-blocktime=0',
      '-devnet-save=0',
    ],
    { env: { ...process.env, HOME: home }, stdio: 'ignore' },
  );
  children.push(chain);
  const conf = path.join(home, '.komodo/DKRELAY/DKRELAY.conf');
  for (let i = 0; i < 200 && !existsSync(conf); i++) await new Promise((r) => setTimeout(r, 25));
  const text = readFileSync(conf, 'utf8');
  const auth = {
    'content-type': 'application/json',
    authorization: `Basic ${Buffer.from(`${/^rpcuser=(.*)$/m.exec(text)[1]}:${/^rpcpassword=(.*)$/m.exec(text)[1]}`).toString('base64')}`,
  };
  const getinfo = JSON.stringify({ jsonrpc: '1.0', id: 'bench', method: 'getinfo', params: [] });
  const sample = await ready(rpcport, auth, getinfo);
  if (JSON.parse(sample).result?.name !== 'DKRELAY') throw new Error('unexpected getinfo reply');

  // a bare server with the same reply, to see what the relay itself costs
  const barePort = await freePort();
  const bare = spawn(
    process.execPath,
    [
      '-e',
      `const body = ${JSON.stringify(sample)};
require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => s.writeHead(200, { 'Content-Type': 'application/json' }).end(body)); }).listen(${barePort}, '127.0.0.1');`,
    ],
    { stdio: 'ignore' },
  );
  children.push(bare);
  await ready(barePort, { 'content-type': 'application/json' }, getinfo);

  // the two relays
  const far = await startChild([relayJs, 'far', certDir, `${rpcport},${barePort}`]);
  const near = await startChild([relayJs, 'near', certDir, String(far.value.port), `${rpcport},${barePort}`]);
  const viaChain = near.value[String(rpcport)];
  const viaBare = near.value[String(barePort)];
  await ready(viaChain, auth, getinfo);
  const relays = [far.child.pid, near.child.pid];

  const lat = await latency(rpcport, viaChain, auth, getinfo);
  const d99 = pct(lat.direct, 99);
  const r99 = pct(lat.relayed, 99);
  const added99 = r99 - d99;
  const addedMedian = pct(lat.relayed, 50) - pct(lat.direct, 50);

  const tChain = await throughput(rpcport, auth, getinfo, [chain.pid]);
  const tChainRelayed = await throughput(viaChain, auth, getinfo, [chain.pid, ...relays]);
  const tBare = await throughput(barePort, auth, getinfo, [bare.pid]);
  const tBareRelayed = await throughput(viaBare, auth, getinfo, [bare.pid, ...relays]);

  const fmt = (x) => Math.round(x).toLocaleString('en-US');
  const cpu = (x) => `${Math.round(x * 100)} %`;
  const md = `Chain RPC (\`getinfo\`, the devnet's komodod in its own process) direct and through the relay's
tunnel: a near relay process (listener on 127.0.0.1) and a far relay process (tunnel server on
127.0.0.2, mutual TLS 1.3 with certificates of one relay CA, ECDSA P-256), on this one machine
(${os.cpus().length} cores, shared with the load generator). Latency: ${CALLS} calls per path, one after another on one
keep-alive connection, direct and relayed in alternating blocks of ${BLOCK}, after a warm-up.
Throughput: ${CONNECTIONS} keep-alive connections (undici Pool) for ${(DURATION_MS / 1000).toFixed(1)} s per row. "CPU" is the
server's (and the relays') CPU over the run, 100 % = one core.

| latency per call | p50 | p99 |
|---|---:|---:|
| direct | ${pct(lat.direct, 50).toFixed(3)} ms | ${d99.toFixed(3)} ms |
| through the tunnel | ${pct(lat.relayed, 50).toFixed(3)} ms | ${r99.toFixed(3)} ms |
| **added by the relay** | ${addedMedian.toFixed(3)} ms | **${added99.toFixed(3)} ms** |

| throughput | calls/s | failed | CPU: server · far relay · near relay |
|---|---:|---:|---|
| chain, direct | ${fmt(tChain.rps)} | ${tChain.failed} | ${cpu(tChain.cpu[0])} |
| chain, through the tunnel | **${fmt(tChainRelayed.rps)}** | ${tChainRelayed.failed} | ${tChainRelayed.cpu.map(cpu).join(' · ')} |
| bare node:http (same reply), direct | ${fmt(tBare.rps)} | ${tBare.failed} | ${cpu(tBare.cpu[0])} |
| bare node:http, through the tunnel | ${fmt(tBareRelayed.rps)} | ${tBareRelayed.failed} | ${tBareRelayed.cpu.map(cpu).join(' · ')} |

Targets: added p99 < 2 ms — ${added99 < 2 ? 'met' : '**not met**'}; ≥ 5,000 relayed chain calls/s — ${tChainRelayed.rps >= 5000 ? 'met' : '**not met**'}
(relayed/direct: chain ${(tChainRelayed.rps / tChain.rps).toFixed(2)}×, bare ${(tBareRelayed.rps / tBare.rps).toFixed(2)}×).
`;
  console.log(md);
  if (!process.env.BENCH_NO_RECORD)
    recordSection(
      'relay',
      'Relay: chain RPC through the mTLS tunnel against direct calls (`bench/relay.mjs`)',
      md,
    );
  if (tChainRelayed.failed + tBareRelayed.failed > 0) process.exitCode = 1;
} finally {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 100));
  rmSync(home, { recursive: true, force: true });
}
