// Benchmark: `dokomodo render` of every target for the scale catalogue on 64 hosts, at 512, 2048
// and 8192 chains, wall time and peak memory (GNU time), against two baselines in the same run:
// loading the platform alone (`dokomodo validate`) and copying the rendered tree (`cp -a`).
// Targets: 8192 chains under 5 s and under 1 GB; cost linear in the number of chains.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scaleYaml } from '../examples/scale/generate.mjs';
import { recordSection } from './record.mjs';

const cli = join(process.cwd(), 'bin/dokomodo.js');
const env = { ...process.env, NO_COLOR: '1', DOKOMODO_SECRET: 'bench-secret-0123456789abcdef' };
const dir = mkdtempSync(join(tmpdir(), 'dokomodo-bench-render-'));

/** Runs a command under GNU time: wall seconds and peak resident memory. */
function timed(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], {
    encoding: 'utf8',
    env,
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.slice(-2000)}`);
  const [wall, kb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { ms: wall * 1000, mb: kb / 1024 };
}

const rows = [];
for (const n of [512, 2048, 8192]) {
  const file = join(dir, `scale-${n}.yaml`);
  writeFileSync(file, scaleYaml(n, 64));
  const out = join(dir, `out-${n}`);
  const shm = join('/dev/shm', `dokomodo-bench-${process.pid}-${n}`);
  const load = timed(process.execPath, [cli, 'validate', '-f', file]);
  spawnSync('sync');
  const render = timed(process.execPath, [cli, 'render', '-f', file, '--out', out]);
  spawnSync('sync');
  const memRender = timed(process.execPath, [cli, 'render', '-f', file, '--out', shm]);
  rmSync(shm, { recursive: true, force: true });
  const again = timed(process.execPath, [cli, 'render', '-f', file, '--out', out, '--check']);
  const files = Number(
    spawnSync('sh', ['-c', `find ${out} -type f | wc -l`], { encoding: 'utf8' }).stdout.trim(),
  );
  const copy = timed('cp', ['-a', out, `${out}-copy`]);
  spawnSync('sync');
  rows.push({ n, load, render, memRender, again, copy, files });
  console.log(n, render, files);
  rmSync(out, { recursive: true, force: true });
  rmSync(`${out}-copy`, { recursive: true, force: true });
}
rmSync(dir, { recursive: true, force: true });
const md = `Every target (conf, iguana, systemd, entrypoint, compose, kubernetes, ansible, monitoring) for the
scale catalogue spread over 64 hosts; fresh processes, wall time and peak RSS from GNU time, the
page cache flushed (\`sync\`) before each timed render. \`render\` writes to the disk (one
\`syncfs\` makes the staged tree durable before it is committed), \`render (tmpfs)\` to
\`/dev/shm\`. Targets: 8192 chains under 5 s and under 1 GB, growing linearly.

| chains | files written | baseline: load only (\`validate\`) | baseline: \`cp -a\` of the tree | \`render\` (disk) | \`render\` (tmpfs) | ms per chain (tmpfs) | peak memory | \`render --check\` (no change) |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.map((r) => `| ${r.n} | ${r.files} | ${r.load.ms.toFixed(0)} ms | ${r.copy.ms.toFixed(0)} ms | ${r.render.ms.toFixed(0)} ms | ${r.memRender.ms.toFixed(0)} ms | ${(r.memRender.ms / r.n).toFixed(2)} | ${Math.max(r.render.mb, r.memRender.mb).toFixed(0)} MB | ${r.again.ms.toFixed(0)} ms |`).join('\n')}`;
recordSection('render', 'Render every target (`bench/render.mjs`)', md);
console.log(md);
