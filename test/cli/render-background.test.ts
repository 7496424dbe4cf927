/**
 * A large render writes most of its files on a second thread (dist/write-worker.js): the tree and
 * its manifest are the same bytes as a render written on one thread, and a failure there is the
 * same clean refusal as on the main thread (nothing changed, no half-built generation, no lock).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scaleYaml } from '../../examples/scale/generate.mjs';
import { compile, parseTargets } from '../../src/compiler/compile.ts';
import { writeArtifacts } from '../../src/compiler/write.ts';
import { renderOptions } from '../../src/cli/commands/render.ts';
import { loadPlatformFile } from '../../src/platform/index.ts';
import { selectEnvironment } from '../../src/platform/select.ts';
import { dokomodo } from './helpers.ts';

const SECRET = 'background-writer-secret-0123456789';
const env = { DOKOMODO_SECRET: SECRET };
const dir = mkdtempSync(join(tmpdir(), 'dokomodo-bgwrite-'));
const file = join(dir, 'scale.yaml');
// 512 chains on 4 hosts: about 2000 files, most of them past the writer's first 512
writeFileSync(file, scaleYaml(512, 4));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every file a reader sees under `root` (through the links), with its mode, except the writer's state. */
function tree(root: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(root, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    if (r === '.dokomodo') continue;
    const st = statSync(join(root, r));
    if (st.isDirectory()) Object.assign(out, tree(root, r));
    else out[r] = `${(st.mode & 0o777).toString(8)} ${readFileSync(join(root, r), 'utf8')}`;
  }
  return out;
}

const manifestFiles = (root: string) =>
  JSON.parse(readFileSync(join(root, '.dokomodo/manifest.json'), 'utf8')).files as Record<string, unknown>;

describe('render on two threads', () => {
  it('writes the same tree and manifest as one thread does', () => {
    const r = dokomodo(['render', '-f', file, '--out', join(dir, 'two')], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // The same render on one thread: all artifacts planned and written here, no worker.
    const loaded = loadPlatformFile(file);
    const platform = loaded.platform!;
    const artifacts = compile(
      platform,
      selectEnvironment(platform, undefined),
      renderOptions(platform, SECRET, parseTargets(undefined)),
    );
    expect(artifacts.length).toBeGreaterThan(1500);
    writeArtifacts(join(dir, 'one'), artifacts, { source: platform.file });
    const two = tree(join(dir, 'two'));
    expect(Object.keys(two).length).toBe(artifacts.length);
    expect(two).toEqual(tree(join(dir, 'one')));
    expect(manifestFiles(join(dir, 'two'))).toEqual(manifestFiles(join(dir, 'one')));
    // and a second render finds nothing to do
    const again = dokomodo(['render', '-f', file, '--out', join(dir, 'two'), '--check'], { env });
    expect(again.code).toBe(0);
  });

  it('a second thread that cannot start: refused cleanly in bounded time, nothing left', () => {
    // A copy of the bundle whose worker script throws when loaded.
    const dist = join(dir, 'dist');
    cpSync('dist', dist, { recursive: true });
    writeFileSync(join(dist, 'write-worker.js'), "throw new Error('this worker is broken');\n");
    const out = join(dir, 'broken');
    const r = spawnSync(process.execPath, [join(dist, 'main.js'), 'render', '-f', file, '--out', out], {
      encoding: 'utf8',
      env: { ...process.env, ...env, NO_COLOR: '1' },
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/write-failed: .*the background writer did not start; nothing was changed/);
    expect(r.stderr).not.toMatch(/this worker is broken|at .*\.js:\d+/);
    expect(readdirSync(join(out, '.dokomodo/trees'))).toEqual([]);
  }, 60_000);

  const root = process.getuid?.() === 0;
  it.skipIf(!root)('a full disk on the second thread: refused cleanly, nothing changed, no lock left', () => {
    const m = join(dir, 'small');
    mkdirSync(m);
    // Room for a few hundred files, not for two thousand.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=5m', 'tmpfs', m]);
    try {
      const before = dokomodo(['render', '-f', 'examples/dev.yaml', '--out', m, '-t', 'conf'], { env });
      expect(before.code).toBe(0);
      const old = tree(m);
      const r = dokomodo(['render', '-f', file, '--out', m], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/write-failed.*disk is full; nothing was changed/s);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
      expect(tree(m)).toEqual(old);
      // no half-built generation stays behind, and the lock is free for the next run
      expect(readdirSync(join(m, '.dokomodo/trees')).filter((n) => n.startsWith('building-'))).toEqual([]);
      const after = dokomodo(['render', '-f', 'examples/dev.yaml', '--out', m, '-t', 'conf', '--check'], {
        env,
      });
      expect(after.code).toBe(0);
      expect(existsSync(join(m, '.dokomodo/lock'))).toBe(false);
    } finally {
      spawnSync('umount', [m]);
    }
  });
});
