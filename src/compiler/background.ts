/**
 * Files of a large render written on a second thread (write-worker.ts) while the main thread
 * renders: on a fleet of thousands of chains, creating tens of thousands of files is about as
 * much work as rendering them, and the two no longer wait for each other.
 *
 * Protocol: the main thread sends jobs over a MessageChannel — batches of files (path below the
 * generation, mode, and where its bytes are) and, at the end, a request for the directories
 * made. The bytes travel in a shared buffer of slots, one slot per job queued: the main thread
 * encodes each content straight into its job's slot, and the worker writes and hashes them from
 * there — no copy of the string is serialized, and none is decoded again. A content longer than
 * a slot allows, or shared by many files (the platform file in every compose directory), goes in
 * the job itself, once, with a number, and then by that number. The worker answers each job on
 * the same channel (the files' hashes in the job's order, or the first error, after which it
 * writes nothing more). A shared counter holds the jobs not yet done: the main thread waits on it
 * (Atomics.wait) before reusing a slot — so memory stays bounded — and when it needs every
 * answer, reading them synchronously (receiveMessageOnPort). A second shared flag asks the worker
 * to stop writing. Nothing the worker writes is visible before the main thread commits.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { SHARED_CONTENT } from './write-file.ts';

/**
 * One file to write. Its bytes are in the job's slot of the shared buffer (`at`, `length`), or —
 * for a long content, which many files may share — numbered `share`, with `content` the first time.
 */
export type FileOp = { path: string; mode: number } & (
  | { at: number; length: number }
  | { share: number; content?: string }
);
export type Job = { kind: 'files'; ops: FileOp[] } | { kind: 'dirs' };
export type Reply =
  /** The hashes of a files job's files, in its order (all of them, or up to the first it did not write). */
  | { kind: 'hashes'; hashes: string[] }
  | { kind: 'dirs'; dirs: string[] }
  | { kind: 'error'; code: string | undefined; path: string | undefined; message: string };

/** The code of the background thread's own failures (not a file system's), for the writer's hint. */
export const BACKGROUND_FAILED = 'ERR_DOKOMODO_BACKGROUND_WRITER';
const failure = (message: string) => Object.assign(new Error(message), { code: BACKGROUND_FAILED });

/** Files per job: small enough to keep both threads busy. */
const BATCH_FILES = 64;
/**
 * The shared buffer the contents travel in: SLOTS slots of SLOT_BYTES, one per job queued. The
 * main thread encodes each content straight into the slot (no copy of the string is made for the
 * worker, and the worker writes and hashes the bytes as they are); jobs are done in order, so a
 * slot is free again once fewer than SLOTS jobs are queued.
 */
export const SLOTS = 16;
export const SLOT_BYTES = 2 << 20;
/** The longest the main thread waits with no job finished before it calls the worker stuck. */
const STALL_MS = 60_000;
/** The longest a worker may take to start (it normally takes well under a second). */
const START_MS = 15_000;

export class BackgroundWriter {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  /** [0] jobs not yet done, [1] stop asked, [2] the worker has started. */
  private readonly counters = new Int32Array(new SharedArrayBuffer(12));
  private readonly data = new SharedArrayBuffer(SLOTS * SLOT_BYTES);
  private readonly bytes = Buffer.from(this.data);
  private ops: FileOp[] = [];
  /** Jobs of files sent so far (the next one's slot is `jobs % SLOTS`), and the fill of its slot. */
  private jobs = 0;
  private used = 0;
  private readonly shares = new Map<string, number>();
  /** The paths of each files job sent and not yet answered, in order: the answers are their hashes, in the same order. */
  private readonly unanswered: string[][] = [];
  private dirs: string[] | undefined;
  /** Path → sha256 of every file written so far. */
  readonly hashes = new Map<string, string>();

  private readonly created = Date.now();

  constructor(script: string, dir: string) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(script, {
      workerData: { dir, state: this.counters.buffer, data: this.data, port: port2 },
      transferList: [port2],
      // The worker needs none of the parent's environment (secrets included).
      env: {},
      stdout: false,
      stderr: false,
    });
    // A worker that cannot start shows as one that makes no progress (waitBelow): its error
    // event, delivered only after the render has failed, must not end the process a second time.
    this.worker.on('error', () => {});
    this.worker.unref();
    this.port.unref();
  }

  /** Queues one file; may wait while the worker catches up, and throws its error if it failed. */
  submit(path: string, content: string, mode: number): void {
    // Room for the worst case: three bytes per UTF-16 unit (a shorter content always has it).
    const room = content.length * 3;
    if (content.length >= SHARED_CONTENT || room > SLOT_BYTES) {
      const share = this.shares.get(content);
      if (share !== undefined) this.ops.push({ path, mode, share });
      else {
        this.shares.set(content, this.shares.size);
        this.ops.push({ path, mode, share: this.shares.size - 1, content });
      }
    } else {
      if (this.used + room > SLOT_BYTES) this.flush();
      const at = (this.jobs % SLOTS) * SLOT_BYTES + this.used;
      const length = this.bytes.write(content, at);
      this.used += length;
      this.ops.push({ path, mode, at, length });
    }
    if (this.ops.length >= BATCH_FILES) this.flush();
  }

  /** Waits until every job is done; returns the directories the worker made. */
  drain(): string[] {
    this.flush();
    this.send({ kind: 'dirs' });
    this.waitBelow(1);
    this.collect();
    if (this.dirs === undefined) throw failure('the background writer did not answer');
    return this.dirs;
  }

  /** Stops the worker: nothing more is written once this returns. */
  stop(): void {
    Atomics.store(this.counters, 1, 1);
    try {
      this.waitBelow(1, 10_000);
    } catch {
      // it is ended below either way
    }
    void this.worker.terminate();
  }

  private flush(): void {
    if (this.ops.length === 0) return;
    const ops = this.ops;
    this.ops = [];
    this.send({ kind: 'files', ops });
    this.unanswered.push(ops.map((op) => op.path));
    this.jobs++;
    this.used = 0;
    // The next job's slot is free once the job that used it last is done.
    this.waitBelow(SLOTS);
    this.collect();
  }
  private send(job: Job): void {
    Atomics.add(this.counters, 0, 1);
    this.port.postMessage(job);
  }

  /** Waits until fewer than `n` jobs are queued. */
  private waitBelow(n: number, stallMs = STALL_MS): void {
    let queued = Atomics.load(this.counters, 0);
    let since = Date.now();
    while (queued >= n) {
      Atomics.wait(this.counters, 0, queued, 100);
      const now = Atomics.load(this.counters, 0);
      if (now !== queued) since = Date.now();
      else if (Atomics.load(this.counters, 2) === 0 && Date.now() - this.created > START_MS)
        throw failure('the background writer did not start');
      else if (Date.now() - since > stallMs) throw failure('the background writer made no progress');
      queued = now;
    }
  }

  private collect(): void {
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
      const r = m.message as Reply;
      if (r.kind === 'hashes') {
        const paths = this.unanswered.shift() ?? [];
        for (let i = 0; i < r.hashes.length; i++) this.hashes.set(paths[i]!, r.hashes[i]!);
      } else if (r.kind === 'dirs') this.dirs = r.dirs;
      else throw Object.assign(new Error(r.message), { code: r.code, path: r.path });
    }
  }
}
