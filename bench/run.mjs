// Runs every benchmark in turn (each writes its own section of docs/benchmarks.md).
import { spawnSync } from 'node:child_process';

for (const b of [
  'platform.mjs',
  'hostile.mjs',
  'render.mjs',
  'operator.mjs',
  'status.mjs',
  'notary.mjs',
  'devnet-getinfo.mjs',
  'monitor.mjs',
  'fleet.mjs',
  'recover.mjs',
  'deploy.mjs',
  'relay.mjs',
]) {
  console.log(`\n== bench/${b}`);
  const r = spawnSync(process.execPath, [`bench/${b}`], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
