// Child process for the writer's process tests:
//   writer-child.mjs ROOT VERSION N [--kill STEP:K] [--pause MS] [--go FILE] [--ready]
// renders version VERSION (N chains, see tree-fixture.ts) into ROOT with --prune, and
//   --kill STEP:K  SIGKILLs itself at the K-th writer step STEP (staged, synced, committed);
//   --pause MS     holds the lock MS milliseconds after the first staged file (prints `holding`);
//   --go FILE      waits (bounded) until FILE exists before rendering, so two children start together;
//   --ready        prints `ready` once loaded, just before rendering;
//   --array        plans the whole tree first (writeArtifacts) instead of streaming it as `render` does.
// Exit 0 when rendered; exit 1 with `CODE: message` on stderr for a dokomodo error.
import { existsSync } from 'node:fs';
import { openTreeWriter, type WriteOptions, writeArtifacts } from '../../src/compiler/write.ts';
import { DokomodoError } from '../../src/core/errors.ts';
import { versionArtifacts } from './tree-fixture.ts';

const [root, version, n, ...flags] = process.argv.slice(2) as [string, string, string, ...string[]];
const flag = (name: string) => {
  const i = flags.indexOf(name);
  return i >= 0 ? flags[i + 1] : undefined;
};
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const [killStep, killAt] = (flag('--kill') ?? 'none:0').split(':');
const pause = Number(flag('--pause') ?? 0);
const go = flag('--go');
if (go) for (let i = 0; i < 2000 && !existsSync(go); i++) sleep(5);
const artifacts = versionArtifacts(version, Number(n));
if (flags.includes('--ready')) process.stdout.write('ready\n');
const seen: Record<string, number> = {};
const options: WriteOptions = {
  prune: true,
  onStep: (s) => {
    const k = seen[s] ?? 0;
    seen[s] = k + 1;
    if (s === killStep && k === Number(killAt)) process.kill(process.pid, 'SIGKILL');
    if (pause > 0 && s === 'staged' && k === 0) {
      process.stdout.write('holding\n');
      sleep(pause);
    }
  },
};
try {
  if (flags.includes('--array')) writeArtifacts(root, artifacts, options);
  else {
    const writer = openTreeWriter(root, options);
    try {
      for (const a of artifacts) writer.add(a);
      writer.finish();
    } finally {
      writer.abort();
    }
  }
} catch (e) {
  if (!(e instanceof DokomodoError)) throw e;
  process.stderr.write(`${e.code}: ${e.message}\n`);
  process.exitCode = 1;
}
