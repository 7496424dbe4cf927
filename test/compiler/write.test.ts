import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { type Artifact, artifact } from '../../src/compiler/artifact.ts';
import {
  applyPlan,
  hasChanges,
  planWrite,
  recover,
  summarize,
  writeArtifacts,
} from '../../src/compiler/write.ts';

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

  it('a crash in the middle of the renames is rolled forward to the new tree', () => {
    const root = tmp();
    writeArtifacts(root, files(5));
    const plan = planWrite(root, files(5, 'b'));
    expect(() =>
      applyPlan(plan, {
        onStep: (s, p) => {
          if (s === 'renamed' && p?.includes('C1')) throw new Error('crash');
        },
      }),
    ).toThrowError();
    const mixed = [0, 1, 2, 3, 4].map((i) =>
      read(root, `hosts/h/home/.komodo/C${i}/C${i}.conf`).includes('v=b'),
    );
    expect(mixed).toContain(false); // mid-way the tree is mixed on disk …
    expect(recover(root)).toBe('rolled-forward'); // … and the next run completes it
    for (let i = 0; i < 5; i++) expect(read(root, `hosts/h/home/.komodo/C${i}/C${i}.conf`)).toContain('v=b');
    expect(hasChanges(planWrite(root, files(5, 'b')))).toBe(false);
  });

  describe('a real kill -9 at every step', () => {
    const dir = tmp();
    const script = join(dir, 'kill-writer.mjs');
    buildSync({
      entryPoints: ['test/compiler/kill-writer.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      logLevel: 'silent',
    });
    for (const at of ['staged:2', 'journal:0', 'renamed:0', 'renamed:3']) {
      it(`killed at ${at}: the next run sees either the old or the new tree`, () => {
        const root = tmp();
        execFileSync(process.execPath, [script, root, 'a', 'none']);
        const r = spawnSync(process.execPath, [script, root, 'b', at]);
        expect(r.signal).toBe('SIGKILL');
        recover(root);
        const versions = new Set(
          [0, 1, 2, 3, 4, 5].map(
            (i) => read(root, `hosts/h/home/.komodo/C${i}/C${i}.conf`).match(/v=(\w)/)![1],
          ),
        );
        expect(versions.size).toBe(1);
        expect([...versions][0]).toBe(at.startsWith('staged') ? 'a' : 'b');
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
