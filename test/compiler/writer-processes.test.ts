/**
 * The writer against real processes: two renders at once, stale locks, and kill -9 at random
 * moments, each judged by a reader that looks at the tree before any dokomodo run touches it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/compiler/lock.ts';
import { checkArtifacts, writeArtifacts } from '../../src/compiler/write.ts';
import { DokomodoError } from '../../src/core/errors.ts';
import { FOREIGN, readTree, versionArtifacts, whichTree } from './tree-fixture.ts';
import { buildChild } from './writer-build.ts';

const child = buildChild();
const tmp = () => mkdtempSync(join(tmpdir(), 'dokomodo-writer-proc-'));

/** A tree of version `v` with the foreign files in it, written in this process. */
function seed(v: string, n: number): string {
  const root = tmp();
  writeArtifacts(root, versionArtifacts(v, n), { prune: true });
  for (const [p, c] of Object.entries(FOREIGN)) writeFileSync(join(root, p), c);
  return root;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
  /** Milliseconds from `ready` (or `holding`) to exit. */
  ms: number;
}

/**
 * Runs the child; `onLine` sees each stdout line as it comes (to kill it, or to act while it
 * holds the lock). Bounded: a child still running after 30 s is killed and the run fails.
 */
function run(args: string[], onLine?: (line: string, kill: () => void) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let from = performance.now();
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`child ${args.join(' ')} still running after 30 s`));
    }, 30_000);
    p.stdout.on('data', (d: Buffer) => {
      const fresh = d.toString();
      stdout += fresh;
      for (const line of fresh.split('\n').filter(Boolean)) {
        if (line === 'ready' || line === 'holding') from = performance.now();
        onLine?.(line, () => p.kill('SIGKILL'));
      }
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, pid: p.pid!, ms: performance.now() - from });
    });
  });
}

/** Resolves once `file` exists (bounded). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const N = 60;

describe('one writer at a time', () => {
  it('while a render holds the lock, a second render and --check get render-locked naming it; the tree stays whole', async () => {
    const root = seed('a', N);
    let holding = false;
    const holder = run([root, 'b', String(N), '--pause', '2500'], (line) => {
      if (line === 'holding') holding = true;
    });
    await until(() => holding, 'the holder to take the lock');
    const second = (() => {
      try {
        writeArtifacts(root, versionArtifacts('c', N), { prune: true });
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(second).toBeInstanceOf(DokomodoError);
    const err = second as DokomodoError;
    expect(err.code).toBe('render-locked');
    expect(err.exitCode).toBe(1);
    const h = await holder.then((r) => r);
    expect(err.message).toContain(`another dokomodo is writing ${root}: pid ${h.pid}`);
    expect(err.message).toMatch(/\(writer-child\.mjs .*\), since \d{4}-\d\d-\d\dT/);
    expect(err.hint).toContain('wait for it to finish');
    expect(h.code).toBe(0);
    // The holder finished its render; the refused one changed nothing.
    expect(whichTree(readTree(root), ['b'], N)).toBe('b');
    expect(existsSync(join(root, '.dokomodo/lock'))).toBe(false);
  }, 60_000);

  it('--check while a render holds the lock: render-locked, not a tree read half-way', async () => {
    const root = seed('a', N);
    let holding = false;
    const holder = run([root, 'b', String(N), '--pause', '1500'], (line) => {
      if (line === 'holding') holding = true;
    });
    await until(() => holding, 'the holder to take the lock');
    expect(() => checkArtifacts(root, versionArtifacts('b', N))).toThrowError(/another dokomodo is writing/);
    expect((await holder).code).toBe(0);
  }, 60_000);

  it('two renders started together (5 trials): one wins, the other gets render-locked; never a mix', async () => {
    for (let trial = 0; trial < 5; trial++) {
      const root = seed('a', N);
      const dir = tmp();
      const go = join(dir, 'go');
      const runs = Promise.all([
        run([root, 'b', String(N), '--go', go, '--pause', '1000']),
        run([root, 'c', String(N), '--go', go, '--pause', '1000']),
      ]);
      writeFileSync(go, '');
      const [b, c] = await runs;
      const codes = [b.code, c.code].sort();
      expect(codes, `trial ${trial}: ${b.stderr}${c.stderr}`).toEqual([0, 1]);
      const [winner, loser, version] = b.code === 0 ? [b, c, 'b'] : [c, b, 'c'];
      expect(loser.stderr).toContain(
        `render-locked: another dokomodo is writing ${root}: pid ${winner.pid} (`,
      );
      expect(whichTree(readTree(root), [version], N)).toBe(version);
    }
  }, 120_000);

  it('a stale lock (holder gone, pid reused, unreadable) is taken over; a live one is not', () => {
    const root = seed('a', 4);
    const lock = join(root, '.dokomodo/lock');
    const holder = (pid: number, start: string | null) =>
      JSON.stringify({
        pid,
        start,
        command: 'dokomodo render',
        since: '2026-01-01T00:00:00.000Z',
        host: hostname(),
        boot: null,
      });
    const gone = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    writeFileSync(lock, holder(Number(gone), null));
    writeArtifacts(root, versionArtifacts('b', 4));
    expect(existsSync(lock)).toBe(false);
    // This very process, but with another start time: the pid was reused.
    writeFileSync(lock, holder(process.pid, '1'));
    writeArtifacts(root, versionArtifacts('c', 4));
    writeFileSync(lock, 'garbage');
    writeArtifacts(root, versionArtifacts('d', 4));
    // Alive: the real start time of this process.
    const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
    writeFileSync(lock, holder(process.pid, start));
    expect(() => writeArtifacts(root, versionArtifacts('e', 4))).toThrowError(
      new RegExp(
        `another dokomodo is writing .*: pid ${process.pid} \\(dokomodo render\\), since 2026-01-01`,
      ),
    );
    // In another pid namespace (a container on the same volume): cannot be checked, so it holds.
    writeFileSync(lock, holder(Number(gone), null).replace('"boot":null', '"boot":null,"pidns":"pid:[1]"'));
    expect(() => writeArtifacts(root, versionArtifacts('e', 4))).toThrowError(
      /render-locked|another dokomodo/,
    );
    // On another machine: cannot be checked, so it holds; the hint says how to clear it.
    writeFileSync(lock, holder(1, null).replace(hostname(), 'elsewhere.example'));
    try {
      writeArtifacts(root, versionArtifacts('e', 4));
      expect.unreachable();
    } catch (e) {
      expect((e as DokomodoError).message).toContain('pid 1 on elsewhere.example');
      expect((e as DokomodoError).hint).toContain(`remove ${lock}`);
    }
  });

  it('taking and releasing the lock leaves no file behind', () => {
    const root = tmp();
    const release = acquireLock(root);
    expect(() => acquireLock(root)).toThrowError(/pid/);
    release();
    acquireLock(root)();
    expect(existsSync(join(root, '.dokomodo/lock'))).toBe(false);
  });
});

describe('kill -9 at random moments', () => {
  it('50 trials: a reader sees the complete old or the complete new tree, every file hashed; the next run carries on', async () => {
    const n = 150;
    // How long a render takes once the child is loaded: the window the kills are spread over.
    const calibration: number[] = [];
    for (let i = 0; i < 3; i++) calibration.push((await run([seed('a', n), 'b', String(n), '--ready'])).ms);
    const window = Math.max(...calibration);
    let state = (Date.now() % 2147483647) + 1;
    const seedUsed = state;
    const random = () => {
      state = (state * 48271) % 2147483647;
      return state / 2147483647;
    };
    const seen: Record<string, number> = { a: 0, b: 0 };
    for (let trial = 0; trial < 50; trial++) {
      const root = seed('a', n);
      const delay = random() * window;
      const r = await run([root, 'b', String(n), '--ready'], (line, kill) => {
        if (line === 'ready') setTimeout(kill, delay);
      });
      const which = whichTree(readTree(root), ['a', 'b'], n);
      expect(
        which,
        `trial ${trial} (seed ${seedUsed}, kill after ${delay.toFixed(1)} ms): a mixed tree`,
      ).toBeDefined();
      seen[which!]!++;
      if (r.signal !== 'SIGKILL') expect(r.code).toBe(0);
      writeArtifacts(root, versionArtifacts('c', n), { prune: true });
      expect(whichTree(readTree(root), ['c'], n)).toBe('c');
    }
    // The kills landed on both sides of the commit.
    expect(seen['a'], JSON.stringify(seen)).toBeGreaterThan(0);
    expect(seen['b'], JSON.stringify(seen)).toBeGreaterThan(0);
  }, 300_000);
});
