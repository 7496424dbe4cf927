import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  chmodSync,
  chownSync,
} from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlatformCached, MAX_ENTRIES } from '../../src/platform/cache.ts';
import { loadPlatformFile } from '../../src/platform/index.ts';
import { scaleYaml } from '../../examples/scale/generate.mjs';

const base = mkdtempSync(join(tmpdir(), 'dokomodo-platform-cache-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
/** A fresh directory with a platform file (and an elected file beside it) and an empty cache dir. */
function setup(pubkey = `02${'ab'.repeat(32)}`) {
  const dir = join(base, `case-${n++}`);
  mkdirSync(dir);
  const file = join(dir, 'dokomodo.yaml');
  writeFileSync(
    file,
    'version: 1\nchains:\n  KMD: {}\n  DOC: { params: { ac_supply: 1000 } }\nnotaries:\n  main: { file: elected.json }\niguana:\n  main: { coins: [KMD, DOC], notaries: main }\n',
  );
  const seeds = Array.from({ length: 8 }, () => '127.0.0.2');
  writeFileSync(join(dir, 'elected.json'), JSON.stringify({ seeds, notaries: [{ alice_NA: pubkey }] }));
  return {
    dir,
    file,
    cache: join(dir, 'cache'),
    opts: { dir: join(dir, 'cache'), build: 'test-build', env: {} },
  };
}
const entries = (cache: string) => readdirSync(cache);

describe('the platform cache', () => {
  it('a second load is read from the cache, and gives what a full load gives', async () => {
    const { file, cache, opts } = setup();
    const full = loadPlatformFile(file);
    expect(full.platform).toBeDefined();
    expect(await loadPlatformCached(file, opts)).toEqual(full);
    expect(entries(cache)).toHaveLength(1);
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    const entry = join(cache, entries(cache)[0]!);
    expect(statSync(entry).mode & 0o777).toBe(0o600);
    // What the second load returns is the entry's content (marked here), not a new parse.
    const e = deserialize(readFileSync(entry)) as { result: { platform: { file: string } } };
    e.result.platform.file = 'from-the-cache';
    writeFileSync(entry, serialize(e), { mode: 0o600 });
    expect((await loadPlatformCached(file, opts)).platform?.file).toBe('from-the-cache');
  });

  it('a changed platform file, elected file or build is a miss', async () => {
    const { dir, file, cache, opts } = setup();
    const first = await loadPlatformCached(file, opts);
    expect(first.platform?.notaries[0]?.notaries[0]?.pubkey).toBe(`02${'ab'.repeat(32)}`);
    const seeds = Array.from({ length: 8 }, () => '127.0.0.2');
    writeFileSync(
      join(dir, 'elected.json'),
      JSON.stringify({ seeds, notaries: [{ alice_NA: `03${'cd'.repeat(32)}` }] }),
    );
    expect((await loadPlatformCached(file, opts)).platform?.notaries[0]?.notaries[0]?.pubkey).toBe(
      `03${'cd'.repeat(32)}`,
    );
    writeFileSync(file, `${readFileSync(file, 'utf8')}# a comment\n`);
    expect((await loadPlatformCached(file, opts)).platform).toBeDefined();
    expect(entries(cache)).toHaveLength(2);
    await loadPlatformCached(file, { ...opts, build: 'another-build' });
    expect(entries(cache)).toHaveLength(3);
    // an elected file that went away: a miss, and the loader's error
    rmSync(join(dir, 'elected.json'));
    const gone = await loadPlatformCached(file, opts);
    expect(gone.platform).toBeUndefined();
    expect(gone.diagnostics.map((d) => d.severity)).toContain('error');
  });

  it('loads with errors are not kept; warnings are, and come back the same', async () => {
    const { dir, cache, opts } = setup();
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nchains:\n  KMD: { nonsense: 1 }\n');
    const r = await loadPlatformCached(bad, opts);
    expect(r.platform).toBeUndefined();
    expect(r).toEqual(loadPlatformFile(bad));
    expect(() => entries(cache)).toThrow();
    const warned = join(dir, 'warned.yaml');
    writeFileSync(warned, 'version: 1\nchains:\n  DOC: { params: { ac_supply: 1000, ac_reward: 1 } }\n');
    const full = loadPlatformFile(warned);
    expect(await loadPlatformCached(warned, opts)).toEqual(full);
    expect(await loadPlatformCached(warned, opts)).toEqual(full);
  });

  it('a corrupt, foreign or loosely permitted cache is a full load, never an error', async () => {
    const { file, cache, opts } = setup();
    const full = loadPlatformFile(file);
    await loadPlatformCached(file, opts);
    const entry = join(cache, entries(cache)[0]!);
    writeFileSync(entry, 'not a v8 serialization');
    expect(await loadPlatformCached(file, opts)).toEqual(full);
    // rewritten whole by that load
    expect(deserialize(readFileSync(entry))).toHaveProperty('result');
    // an entry others could read is not trusted
    chmodSync(entry, 0o644);
    const e = deserialize(readFileSync(entry)) as { result: { platform: { file: string } } };
    e.result.platform.file = 'planted';
    writeFileSync(entry, serialize(e));
    expect((await loadPlatformCached(file, opts)).platform?.file).toBe(file);
    // a directory others can write into is neither read nor written
    rmSync(cache, { recursive: true });
    mkdirSync(cache, { mode: 0o777 });
    chmodSync(cache, 0o777);
    expect(await loadPlatformCached(file, opts)).toEqual(full);
    expect(entries(cache)).toEqual([]);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'makes no directory in a home that is not ours (sudo with the user’s HOME)',
    async () => {
      const { dir, file } = setup();
      const home = join(dir, 'someone');
      mkdirSync(home);
      chownSync(home, 1234, 1234);
      const cache = join(home, '.cache', 'dokomodo', 'platform');
      expect(
        (await loadPlatformCached(file, { dir: cache, build: 'test-build', env: {} })).platform,
      ).toBeDefined();
      expect(readdirSync(home)).toEqual([]);
    },
  );

  it.skipIf(process.getuid?.() !== 0)(
    'a full disk under the cache: a full load, and no partial entry left',
    async () => {
      const { dir } = setup();
      const f = join(dir, 'big.yaml');
      writeFileSync(f, scaleYaml(200, 2));
      const cache = join(dir, 'small-cache');
      mkdirSync(cache, { mode: 0o700 });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', cache]);
      try {
        const r = await loadPlatformCached(f, { dir: cache, build: 'test-build', env: {} });
        expect(r).toEqual(loadPlatformFile(f));
        expect(readdirSync(cache)).toEqual([]);
      } finally {
        spawnSync('umount', [cache]);
      }
    },
  );

  it('DOKOMODO_PLATFORM_CACHE=off, or no build (run from the sources), keeps no cache', async () => {
    const { file, cache, opts } = setup();
    expect(
      (await loadPlatformCached(file, { ...opts, env: { DOKOMODO_PLATFORM_CACHE: 'off' } })).platform,
    ).toBeDefined();
    expect(() => entries(cache)).toThrow();
    // from the sources there is no build identity: every load is a full one
    expect((await loadPlatformCached(file, { dir: cache, env: {} })).platform).toBeDefined();
    expect(() => entries(cache)).toThrow();
  });

  it(`keeps at most ${MAX_ENTRIES} entries`, async () => {
    const { dir, cache, opts } = setup();
    for (let i = 0; i < MAX_ENTRIES + 8; i++) {
      const f = join(dir, `p${i}.yaml`);
      writeFileSync(f, `version: 1\nchains:\n  DOC: { params: { ac_supply: ${1000 + i} } }\n`);
      expect((await loadPlatformCached(f, opts)).platform).toBeDefined();
    }
    expect(entries(cache).length).toBe(MAX_ENTRIES);
  });
});
