/**
 * The writer's background thread (dist/write-worker.js): creates the files of the generation
 * being built while the main thread goes on rendering, and returns each file's hash for the
 * manifest. It writes only below the generation directory it was given, and only what it is
 * sent; everything else (the plan, the lock, the commit) stays with the main thread.
 * See background.ts for the protocol.
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import type { Job, Reply } from './background.ts';
import { createFile, Dirs, type Encoded, Encoder, sha256 } from './write-file.ts';

const { dir, state, data, port } = workerData as {
  dir: string;
  state: SharedArrayBuffer;
  data: SharedArrayBuffer;
  port: MessagePort;
};
const bytes = new Uint8Array(data);
const counters = new Int32Array(state);
const dirs = new Dirs(dir);
const encoder = new Encoder();
const byShare = new Map<number, Encoded>();
let failed = false;

function run(job: Job): Reply {
  if (job.kind === 'dirs') return { kind: 'dirs', dirs: [...dirs.all()] };
  const hashes: string[] = [];
  for (const op of job.ops) {
    // Asked to stop (the render was refused or failed): the rest is not written.
    if (failed || Atomics.load(counters, 1) !== 0) break;
    if ('at' in op) {
      // The bytes are in the job's slot of the shared buffer.
      const view = bytes.subarray(op.at, op.at + op.length);
      createFile(dirs, `${dir}/${op.path}`, view, op.mode);
      hashes.push(sha256(view));
      continue;
    }
    // A shared content comes with its bytes once, then by its number.
    const e = op.content !== undefined ? encoder.encode(op.content) : byShare.get(op.share);
    if (e === undefined) throw new Error(`background writer: unknown shared content ${op.share}`);
    if (op.content !== undefined) byShare.set(op.share, e);
    createFile(dirs, `${dir}/${op.path}`, e.bytes, op.mode);
    hashes.push(e.sha256);
  }
  return { kind: 'hashes', hashes };
}

port.on('message', (job: Job) => {
  let reply: Reply;
  try {
    reply = run(job);
  } catch (err) {
    failed = true;
    const e = err as NodeJS.ErrnoException;
    reply = { kind: 'error', code: e.code, path: e.path, message: e.message };
  }
  port.postMessage(reply);
  Atomics.sub(counters, 0, 1);
  Atomics.notify(counters, 0);
});
Atomics.store(counters, 2, 1);
