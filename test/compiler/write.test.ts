import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Artifact, artifact } from '../../src/compiler/artifact.ts';
import {
  applyPlan,
  checkArtifacts,
  hasChanges,
  openTreeWriter,
  planWrite,
  recover,
  summarize,
  writeArtifacts,
} from '../../src/compiler/write.ts';
import { FOREIGN, readTree, versionArtifacts, whichTree } from './tree-fixture.ts';
import { buildChild } from './writer-build.ts';

const child = buildChild();

const tmp = () => mkdtempSync(join(tmpdir(), 'dokomodo-write-'));
const files = (n: number, v = 'a'): Artifact[] =>
  Array.from({ length: n }, (_, i) =>
    artifact('conf', `hosts/h/home/.komodo/C${i}/C${i}.conf`, `rpcport=${i}\nv=${v}\n`, {
      host: 'h',
      secret: true,
    }),
  );
const read = (root: string, p: string) => readFileSync(join(root, p), 'utf8');

describe('writer', () => {
  it('creates files with their modes and a manifest; a second run changes nothing', () => {
    const root = tmp();
    const a = [...files(3), artifact('systemd', 'hosts/h/systemd/x.service', '[Unit]\n', { host: 'h' })];
    const { plan } = writeArtifacts(root, a);
    expect(summarize(plan)).toMatchObject({ create: 4, update: 0 });
    expect(statSync(join(root, 'hosts/h/home/.komodo/C0/C0.conf')).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'hosts/h/systemd/x.service')).mode & 0o777).toBe(0o644);
    const manifest = JSON.parse(read(root, '.dokomodo/manifest.json'));
    expect(Object.keys(manifest.files)).toHaveLength(4);
    const again = planWrite(root, a);
    expect(hasChanges(again)).toBe(false);
  });

  it('--check semantics: planning reports drift and writes nothing', () => {
    const root = tmp();
    writeArtifacts(root, files(2));
    const plan = planWrite(root, files(2, 'b'));
    expect(summarize(plan)).toMatchObject({ update: 2 });
    expect(read(root, 'hosts/h/home/.komodo/C0/C0.conf')).toContain('v=a');
  });

  it('refuses to overwrite a file it did not write, or one edited by hand, without force; force keeps a backup', () => {
    const root = tmp();
    mkdirSync(join(root, 'hosts/h/home/.komodo/C0'), { recursive: true });
    writeFileSync(join(root, 'hosts/h/home/.komodo/C0/C0.conf'), 'mine\n');
    const plan = planWrite(root, files(1));
    expect(plan.conflicts.map((c) => c.conflict)).toEqual(['unmanaged']);
    expect(() => applyPlan(plan)).toThrowError(/not written by dokomodo/);
    expect(read(root, 'hosts/h/home/.komodo/C0/C0.conf')).toBe('mine\n');
    const { backupDir } = writeArtifacts(root, files(1), { force: true });
    expect(read(root, 'hosts/h/home/.komodo/C0/C0.conf')).toContain('v=a');
    expect(readFileSync(join(backupDir!, 'hosts/h/home/.komodo/C0/C0.conf'), 'utf8')).toBe('mine\n');

    writeFileSync(join(root, 'hosts/h/home/.komodo/C0/C0.conf'), 'edited\n');
    const edited = planWrite(root, files(1, 'b'));
    expect(edited.conflicts.map((c) => c.conflict)).toEqual(['edited']);
    expect(() => applyPlan(edited)).toThrowError(/changed by hand/);
  });

  it('prunes only with --prune, only its own files, and never a wallet', () => {
    const root = tmp();
    writeArtifacts(root, files(3));
    writeFileSync(join(root, 'hosts/h/home/.komodo/C2/wallet.dat'), 'WALLET');
    writeArtifacts(root, files(2));
    expect(existsSync(join(root, 'hosts/h/home/.komodo/C2/C2.conf'))).toBe(true);
    const { plan } = writeArtifacts(root, files(2), { prune: true });
    expect(summarize(plan).prune).toBe(1);
    expect(existsSync(join(root, 'hosts/h/home/.komodo/C2/C2.conf'))).toBe(false);
    expect(read(root, 'hosts/h/home/.komodo/C2/wallet.dat')).toBe('WALLET');
    expect(() =>
      planWrite(root, [artifact('conf', 'hosts/h/home/.komodo/KMD/wallet.dat', 'x')]),
    ).toThrowError(/refusing/);
  });

  it('a crash after staging leaves the old tree (rolled back by the next run)', () => {
    const root = tmp();
    writeArtifacts(root, files(5));
    const plan = planWrite(root, files(5, 'b'));
    expect(() =>
      applyPlan(plan, {
        onStep: (s, p) => {
          if (s === 'staged' && p?.includes('C3')) throw new Error('crash');
        },
      }),
    ).toThrowError();
    expect(recover(root)).toBe('clean'); // the failed stage already removed its temporaries
    for (let i = 0; i < 5; i++) expect(read(root, `hosts/h/home/.komodo/C${i}/C${i}.conf`)).toContain('v=a');
  });

  it('a crash after the generation is complete but before the swap leaves the old tree', () => {
    const root = tmp();
    writeArtifacts(root, files(5));
    const plan = planWrite(root, files(5, 'b'));
    expect(() =>
      applyPlan(plan, {
        onStep: (s) => {
          if (s === 'synced') throw new Error('crash');
        },
      }),
    ).toThrowError();
    for (let i = 0; i < 5; i++) expect(read(root, `hosts/h/home/.komodo/C${i}/C${i}.conf`)).toContain('v=a');
    expect(recover(root)).toBe('clean'); // the failed run already removed its generation
    expect(summarize(planWrite(root, files(5, 'b')))).toMatchObject({ update: 5 });
  });

  it('a crash right after the swap: readers already see the whole new tree; the next run only tidies', () => {
    const root = tmp();
    writeArtifacts(root, files(5));
    writeArtifacts(root, files(5, 'b'));
    const next = [...files(4, 'c'), artifact('monitoring', 'monitoring/x.yml', 'x\n')];
    const plan = planWrite(root, next, { prune: true });
    expect(() =>
      applyPlan(plan, {
        onStep: (s) => {
          if (s === 'committed') throw new Error('crash');
        },
      }),
    ).toThrowError();
    const versions = [0, 1, 2, 3].map(
      (i) => read(root, `hosts/h/home/.komodo/C${i}/C${i}.conf`).match(/v=(\w)/)![1],
    );
    expect(new Set(versions)).toEqual(new Set(['c']));
    expect(existsSync(join(root, 'hosts/h/home/.komodo/C4/C4.conf'))).toBe(false);
    // The new top-level name was linked before the swap, so it is there at once.
    expect(read(root, 'monitoring/x.yml')).toBe('x\n');
    expect(readdirSync(join(root, '.dokomodo/trees')).sort()).toEqual(['g1', 'g2', 'g3']);
    // The next run keeps the current generation and the one before it.
    expect(recover(root)).toBe('rolled-forward');
    expect(readdirSync(join(root, '.dokomodo/trees')).sort()).toEqual(['g2', 'g3']);
    expect(hasChanges(planWrite(root, next))).toBe(false);
  });

  it('the tree is one link per top-level name into the current generation; paths stay where they were', () => {
    const root = tmp();
    writeArtifacts(root, [...files(2), artifact('monitoring', 'monitoring/p.yml', 'p\n')]);
    expect(lstatSync(join(root, 'hosts')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(root, 'hosts'))).toBe('.dokomodo/current/hosts');
    expect(readlinkSync(join(root, '.dokomodo/current'))).toBe('trees/g1');
    writeArtifacts(root, files(2, 'b'), { prune: true });
    expect(readlinkSync(join(root, '.dokomodo/current'))).toBe('trees/g2');
    expect(readlinkSync(join(root, '.dokomodo/previous'))).toBe('trees/g1');
    // A name the tree no longer has loses its link.
    expect(() => lstatSync(join(root, 'monitoring'))).toThrow();
    expect(read(root, 'hosts/h/home/.komodo/C0/C0.conf')).toContain('v=b');
    // The previous generation is whole, for a reader still inside it.
    expect(read(root, '.dokomodo/trees/g1/hosts/h/home/.komodo/C0/C0.conf')).toContain('v=a');
    writeArtifacts(root, files(2, 'c'));
    expect(readdirSync(join(root, '.dokomodo/trees')).sort()).toEqual(['g2', 'g3']);
  });

  it('files others put into the tree, wallets and empty directories come along to every generation, untouched', () => {
    const root = tmp();
    writeArtifacts(root, files(3));
    const env = join(root, 'hosts/h/home/.komodo/C0/.env');
    writeFileSync(env, 'SECRET=1\n', { mode: 0o600 });
    writeFileSync(join(root, 'hosts/h/home/.komodo/C2/wallet.dat'), 'WALLET');
    mkdirSync(join(root, 'hosts/h/empty'));
    const before = statSync(env);
    writeArtifacts(root, files(2, 'b'), { prune: true });
    writeArtifacts(root, files(2, 'c'), { prune: true });
    expect(read(root, 'hosts/h/home/.komodo/C0/.env')).toBe('SECRET=1\n');
    expect(statSync(env).ino).toBe(before.ino); // the same file, not a copy
    expect(statSync(env).mode & 0o777).toBe(0o600);
    expect(read(root, 'hosts/h/home/.komodo/C2/wallet.dat')).toBe('WALLET');
    expect(existsSync(join(root, 'hosts/h/home/.komodo/C2/C2.conf'))).toBe(false);
    expect(statSync(join(root, 'hosts/h/empty')).isDirectory()).toBe(true);
  });

  it('a tree written by the previous version is migrated once, byte for byte, keeping what others put there', () => {
    const root = tmp();
    // The previous writer's layout: real directories and .dokomodo/manifest.json as a file.
    const old = files(3);
    const manifest = { version: 1, source: 'x.yaml', files: {} as Record<string, unknown> };
    for (const a of old) {
      mkdirSync(join(root, dirname(a.path)), { recursive: true });
      writeFileSync(join(root, a.path), a.content, { mode: a.mode });
      manifest.files[a.path] = {
        sha256: createHash('sha256').update(a.content).digest('hex'),
        mode: a.mode,
        target: a.target,
        host: a.host,
      };
    }
    mkdirSync(join(root, '.dokomodo'));
    writeFileSync(join(root, '.dokomodo/manifest.json'), JSON.stringify(manifest));
    writeFileSync(join(root, 'hosts/h/home/.komodo/C1/wallet.dat'), 'WALLET');
    writeFileSync(join(root, 'README.ops'), 'top-level notes\n');
    // --check reads the old layout as it is.
    expect(hasChanges(checkArtifacts(root, old))).toBe(false);
    expect(lstatSync(join(root, 'hosts')).isDirectory()).toBe(true);
    // A render with nothing to change still migrates, and changes no byte.
    const { plan } = writeArtifacts(root, old);
    expect(hasChanges(plan)).toBe(false);
    expect(lstatSync(join(root, 'hosts')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(root, '.dokomodo/manifest.json')).isSymbolicLink()).toBe(true);
    for (const a of old) expect(read(root, a.path)).toBe(a.content);
    expect(read(root, 'hosts/h/home/.komodo/C1/wallet.dat')).toBe('WALLET');
    // Not part of the tree: left where it is, as it is.
    expect(lstatSync(join(root, 'README.ops')).isFile()).toBe(true);
    expect(read(root, 'README.ops')).toBe('top-level notes\n');
    expect(readdirSync(join(root, '.dokomodo')).filter((n) => n.startsWith('adopted'))).toEqual([]);
    // From then on, as any tree.
    writeArtifacts(root, files(3, 'b'));
    expect(read(root, 'hosts/h/home/.komodo/C0/C0.conf')).toContain('v=b');
    expect(read(root, 'hosts/h/home/.komodo/C1/wallet.dat')).toBe('WALLET');
  });

  it('a directory someone made where a target now renders is taken into the tree, its files kept', () => {
    const root = tmp();
    writeArtifacts(root, files(1));
    mkdirSync(join(root, 'monitoring'));
    writeFileSync(join(root, 'monitoring/local-rules.yml'), 'mine\n');
    writeArtifacts(root, [...files(1), artifact('monitoring', 'monitoring/prometheus.yml', 'p\n')]);
    expect(lstatSync(join(root, 'monitoring')).isSymbolicLink()).toBe(true);
    expect(read(root, 'monitoring/local-rules.yml')).toBe('mine\n');
    expect(read(root, 'monitoring/prometheus.yml')).toBe('p\n');
  });

  it('an interrupted migration is finished by the next run', () => {
    const root = tmp();
    const old = files(2);
    for (const a of old) {
      mkdirSync(join(root, dirname(a.path)), { recursive: true });
      writeFileSync(join(root, a.path), a.content, { mode: a.mode });
    }
    // As if killed between the swap and moving the real directory away.
    mkdirSync(join(root, '.dokomodo/trees/g1'), { recursive: true });
    execFileSync('cp', ['-al', join(root, 'hosts'), join(root, '.dokomodo/trees/g1/hosts')]);
    writeFileSync(join(root, '.dokomodo/trees/g1/.manifest.json'), '{"version":1,"source":"","files":{}}\n');
    writeFileSync(join(root, '.dokomodo/adopt.json'), JSON.stringify({ gen: 'g1', names: ['hosts'] }));
    symlinkSync('trees/g1', join(root, '.dokomodo/current'));
    expect(recover(root)).toBe('rolled-forward');
    expect(lstatSync(join(root, 'hosts')).isSymbolicLink()).toBe(true);
    for (const a of old) expect(read(root, a.path)).toBe(a.content);
    expect(existsSync(join(root, '.dokomodo/adopt.json'))).toBe(false);
  });

  it('a first render killed before its commit leaves nothing a reader could mistake for a tree', () => {
    const root = tmp();
    const plan = planWrite(root, [...files(2), artifact('monitoring', 'monitoring/p.yml', 'p\n')]);
    expect(() =>
      applyPlan(plan, {
        onStep: (s) => {
          if (s === 'synced') throw new Error('crash');
        },
      }),
    ).toThrowError();
    expect(readTree(root).size).toBe(0);
    // As a kill would leave it: links made, generation half there.
    mkdirSync(join(root, '.dokomodo/trees/building-1/hosts'), { recursive: true });
    symlinkSync('.dokomodo/current/hosts', join(root, 'hosts'));
    expect(recover(root)).toBe('rolled-back');
    expect(readdirSync(root)).toEqual(['.dokomodo']);
    expect(readdirSync(join(root, '.dokomodo/trees'))).toEqual([]);
  });

  it('a top-level symbolic link dokomodo did not make is refused, not written through', () => {
    const root = tmp();
    const elsewhere = tmp();
    symlinkSync(elsewhere, join(root, 'hosts'));
    expect(() => writeArtifacts(root, files(1))).toThrowError(/symbolic link dokomodo did not make/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  describe('streamed (what render does): each file written as it is rendered, all committed at once', () => {
    it('gives the tree, manifest and plan that planning the whole set gives', () => {
      const [streamed, planned] = [tmp(), tmp()];
      const set = [...files(3), artifact('monitoring', 'monitoring/p.yml', 'p\n')];
      for (const root of [streamed, planned]) writeFileSync(join(root, 'notes'), 'mine\n');
      const w = openTreeWriter(streamed, { source: 'x.yaml' });
      // Out of order on purpose: the renderers' order must not show in the result.
      for (const a of [...set].reverse()) w.add(a);
      // Nothing is visible before the commit.
      expect(existsSync(join(streamed, 'hosts'))).toBe(false);
      const { plan } = w.finish();
      const other = writeArtifacts(planned, set, { source: 'x.yaml' }).plan;
      expect(plan.changes).toEqual(other.changes);
      expect(read(streamed, '.dokomodo/manifest.json')).toBe(read(planned, '.dokomodo/manifest.json'));
      expect(readTree(streamed)).toEqual(readTree(planned));
      expect(existsSync(join(streamed, '.dokomodo/lock'))).toBe(false);
    });
    it('a conflict found at the end discards everything written; the tree and the lock are as before', () => {
      const root = tmp();
      writeArtifacts(root, files(3));
      writeFileSync(join(root, 'hosts/h/home/.komodo/C2/C2.conf'), 'edited\n');
      const w = openTreeWriter(root);
      for (const a of files(3, 'b')) w.add(a);
      expect(() => w.finish()).toThrowError(/changed by hand/);
      w.abort();
      expect(read(root, 'hosts/h/home/.komodo/C0/C0.conf')).toContain('v=a');
      expect(readdirSync(join(root, '.dokomodo/trees'))).toEqual(['g1']);
      expect(existsSync(join(root, '.dokomodo/lock'))).toBe(false);
    });
    it('a render that fails half-way (abort) leaves the tree as it was; the same path twice is refused', () => {
      const root = tmp();
      writeArtifacts(root, files(2));
      const w = openTreeWriter(root);
      w.add(files(2, 'b')[0]!);
      expect(() => w.add(files(2, 'c')[0]!)).toThrowError(/two artifacts want/);
      w.abort();
      expect(read(root, 'hosts/h/home/.komodo/C0/C0.conf')).toContain('v=a');
      expect(readdirSync(join(root, '.dokomodo/trees'))).toEqual(['g1']);
      expect(hasChanges(checkArtifacts(root, files(2)))).toBe(false);
    });
    it('with nothing to change, commits nothing', () => {
      const root = tmp();
      writeArtifacts(root, files(2));
      const w = openTreeWriter(root);
      for (const a of files(2)) w.add(a);
      expect(hasChanges(w.finish().plan)).toBe(false);
      expect(readdirSync(join(root, '.dokomodo/trees'))).toEqual(['g1']);
    });
  });

  describe('a real kill -9 at every step', () => {
    for (const at of [
      'staged:2',
      'synced:0',
      'committed:0',
      'staged:2 --array',
      'synced:0 --array',
      'committed:0 --array',
    ]) {
      it(`killed at ${at}: a reader sees the old or the new tree, and the next run carries on`, () => {
        const root = tmp();
        execFileSync(process.execPath, [child, root, 'a', '12']);
        for (const [p, c] of Object.entries(FOREIGN)) writeFileSync(join(root, p), c);
        const r = spawnSync(process.execPath, [child, root, 'b', '12', '--kill', ...at.split(' ')]);
        expect(r.signal).toBe('SIGKILL');
        // The reader comes first: no dokomodo run has tidied anything yet.
        expect(whichTree(readTree(root), ['a', 'b'], 12)).toBe(at.startsWith('committed') ? 'b' : 'a');
        // The killed writer's lock is stale: the next run takes it over.
        writeArtifacts(root, versionArtifacts('c', 12), { prune: true });
        expect(whichTree(readTree(root), ['c'], 12)).toBe('c');
      });
    }
  });

  const root = process.getuid?.() === 0;
  describe.skipIf(!root)('disk full and read-only file systems (root only: tmpfs)', () => {
    const mounts: string[] = [];
    afterAll(() => {
      for (const m of mounts) spawnSync('umount', [m]);
    });
    const mount = (opts: string) => {
      const m = tmp();
      execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', m]);
      mounts.push(m);
      return m;
    };
    it('ENOSPC while staging: nothing changes, a clear error', () => {
      const m = mount('size=64k');
      writeArtifacts(m, files(3));
      const big = files(3, 'b'.repeat(40_000));
      expect(() => writeArtifacts(m, big)).toThrowError(/disk is full; nothing was changed/);
      for (let i = 0; i < 3; i++) expect(read(m, `hosts/h/home/.komodo/C${i}/C${i}.conf`)).toContain('v=a\n');
      expect(recover(m)).toBe('clean');
    });
    it('read-only: nothing changes, a clear error', () => {
      const m = mount('size=1m');
      writeArtifacts(m, files(2));
      execFileSync('mount', ['-o', 'remount,ro', m]);
      expect(() => writeArtifacts(m, files(2, 'b'))).toThrowError(/read-only/);
      expect(read(m, 'hosts/h/home/.komodo/C0/C0.conf')).toContain('v=a');
    });
  });
});
