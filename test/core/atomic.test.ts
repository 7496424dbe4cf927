// The single-file atomic writer: exact modes, no leftovers on failure, old-or-new after kill -9.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { temporaryName, writeFileAtomic } from '../../src/core/atomic.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'dk-atomic-'));

describe('writeFileAtomic', () => {
  it('writes exactly the requested mode whatever the umask, creating 0700 directories', () => {
    const d = dir();
    const old = process.umask(0o000);
    try {
      writeFileAtomic(join(d, 'a', 'b', 'secret.json'), '{"x":1}\n');
      writeFileAtomic(join(d, 'public.txt'), 'hello', { mode: 0o644 });
    } finally {
      process.umask(old);
    }
    expect(statSync(join(d, 'a', 'b', 'secret.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(d, 'a')).mode & 0o777).toBe(0o700);
    expect(statSync(join(d, 'public.txt')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(d, 'a', 'b', 'secret.json'), 'utf8')).toBe('{"x":1}\n');
  });

  it('replaces a file and leaves no temporary behind, also when the write fails', () => {
    const d = dir();
    const f = join(d, 'state.json');
    writeFileSync(f, 'old');
    writeFileAtomic(f, new Uint8Array([110, 101, 119]));
    expect(readFileSync(f, 'utf8')).toBe('new');
    writeFileSync(join(d, 'plain'), 'a file, not a directory');
    expect(() => writeFileAtomic(join(d, 'plain', 'x.json'), 'y')).toThrow(/ENOTDIR/);
    expect(readdirSync(d).sort()).toEqual(['plain', 'state.json']);
  });

  it('with replace: false, creates a file but never replaces one (EEXIST), leaving no temporary', () => {
    const d = dir();
    const f = join(d, 'dokomodo.yaml');
    writeFileAtomic(f, 'first', { mode: 0o644, replace: false });
    expect(readFileSync(f, 'utf8')).toBe('first');
    expect(() => writeFileAtomic(f, 'second', { replace: false })).toThrow(/EEXIST/);
    expect(readFileSync(f, 'utf8')).toBe('first');
    expect(readdirSync(d)).toEqual(['dokomodo.yaml']);
  });

  it('names temporaries hidden and unique per call', () => {
    const a = temporaryName('/x/y/conf');
    const b = temporaryName('/x/y/conf');
    expect(a).toMatch(/^\/x\/y\/\.conf\.\d+\.[0-9a-f]{8}\.tmp$/);
    expect(a).not.toBe(b);
  });

  it('a reader sees the old or the new content when the writer is killed at any moment (20 trials)', async () => {
    const d = dir();
    const f = join(d, 'big.json');
    const old = 'o'.repeat(4 << 20);
    const next = 'n'.repeat(4 << 20);
    const script = join(d, 'writer.mjs');
    buildSync({
      stdin: {
        contents: `import { writeFileAtomic } from './src/core/atomic.ts';\nconst [file, n] = process.argv.slice(2);\nconst text = 'n'.repeat(Number(n));\nwriteFileAtomic(file, text);\nprocess.stdout.write('ready\\n');\nfor (;;) writeFileAtomic(file, text);\n`,
        resolveDir: process.cwd(),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      logLevel: 'silent',
    });
    let sawNew = 0;
    for (let trial = 0; trial < 20; trial++) {
      writeFileSync(f, old);
      const child = spawn(process.execPath, [script, f, String(next.length)], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      // after its first complete write, at a different moment in the loop each trial
      await new Promise((r) => child.stdout!.once('data', r));
      await new Promise((r) => setTimeout(r, trial * 3));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const seen = readFileSync(f, 'utf8');
      expect(seen === old || seen === next).toBe(true);
      if (seen === next) sawNew++;
    }
    // every trial killed a writer that had written at least once: the new content must be there
    expect(sawNew).toBe(20);
  }, 60_000);
});
