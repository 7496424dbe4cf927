/**
 * `dokomodo import dpow`: the committed fixture (and, when at hand, the shared dPoW tarball)
 * reproduces examples/komodo-mainnet.yaml byte for byte; bad checkouts are diagnostics with
 * file and line:col and nothing written; --diff reports what upstream changed.
 */
import { spawnSync } from 'node:child_process';
import {
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
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dpowPlatformText } from '../../src/importer/dpow-platform.ts';
import { type CheckoutReader, readDpowCheckout } from '../../src/importer/dpow-read.ts';
import { loadPlatformText } from '../../src/platform/load.ts';
import { dokomodo } from '../cli/helpers.ts';

const dokomodoLoad = (text: string) => loadPlatformText('/work/dokomodo.yaml', text);

const FIXTURE = 'test/fixtures/dpow-2f846c0';
const COMMIT = '2f846c0aa790516c49299914488623ecb31b1d2b';
const TARBALL = '../shared/tools/iguana/dPoW-2f846c0.tar.gz';
const EXAMPLE = 'examples/komodo-mainnet.yaml';

function listFiles(root: string, dir = ''): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = dir ? `${dir}/${name}` : name;
    return statSync(join(root, rel)).isDirectory() ? listFiles(root, rel) : [rel];
  });
}

/** The fixture in memory, with some files replaced or removed. */
function checkout(changes: Record<string, string | null> = {}): CheckoutReader {
  const files = new Map<string, string>();
  for (const rel of listFiles(FIXTURE))
    files.set(join('/dpow', rel), readFileSync(join(FIXTURE, rel), 'utf8'));
  for (const [rel, text] of Object.entries(changes)) {
    if (text === null) files.delete(join('/dpow', rel));
    else files.set(join('/dpow', rel), text);
  }
  return { read: (p) => (files.has(p) ? { text: files.get(p)! } : { error: 'no such file' }) };
}

function importFrom(reader: CheckoutReader, opts: { hostMain?: string; host3p?: string } = {}) {
  const r = readDpowCheckout('/dpow', reader, COMMIT);
  if (!r.checkout) return { text: undefined, diagnostics: r.diagnostics };
  return dpowPlatformText('/dpow', r.checkout, reader, opts);
}

const fixtureText = (rel: string) => readFileSync(join(FIXTURE, rel), 'utf8');
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dokomodo-dpow-'));
  temps.push(d);
  return d;
}

describe('import dpow on dPoW 2f846c0', () => {
  it('reproduces examples/komodo-mainnet.yaml byte for byte', () => {
    const r = importFrom(checkout());
    expect(r.diagnostics).toEqual([]);
    expect(r.text).toBe(readFileSync(EXAMPLE, 'utf8'));
  });

  it('has the chains dPoW notarizes today and none it dropped', () => {
    const text = importFrom(checkout()).text!;
    const chains = [...text.matchAll(/^ {2}([A-Z0-9_]+):$/gm)].map((m) => m[1]);
    expect(chains).toEqual([
      'KMD',
      'LTC',
      'BCZERO',
      'CCL',
      'CLC',
      'GLEEC',
      'ILN',
      'KOIN',
      'MDX',
      'PIRATE',
      'RAPH',
      'THC',
      'GLEEC_OLD',
      'KMD_3P',
      'MCL',
      'TOKEL',
    ]);
    for (const dropped of ['RICK', 'MORTY', 'NINJA', 'SUPERNET']) expect(text).not.toContain(dropped);
  });

  it('the fixture is the tarball’s files, unmodified', () => {
    if (!existsSync(TARBALL)) {
      if (process.env['CI']) throw new Error(`${TARBALL} is missing in CI`);
      return;
    }
    const dir = tempDir();
    const tar = spawnSync('tar', ['-xzf', TARBALL, '-C', dir, 'dPoW/iguana'], { encoding: 'utf8' });
    expect(tar.status, tar.stderr).toBe(0);
    for (const rel of listFiles(FIXTURE).filter((f) => f.startsWith('iguana/')))
      expect(readFileSync(join(dir, 'dPoW', rel), 'utf8'), rel).toBe(fixtureText(rel));
    // The CLI on the extracted tarball: the same bytes as the example.
    const r = dokomodo(['import', 'dpow', join(dir, 'dPoW'), '--commit', COMMIT]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(EXAMPLE, 'utf8'));
  });

  it('names the commit of the checkout’s .git (loose or packed ref) when --commit is not given', () => {
    const sha = 'a'.repeat(40);
    const loose = checkout({ '.git/HEAD': 'ref: refs/heads/master\n', '.git/refs/heads/master': `${sha}\n` });
    expect(readDpowCheckout('/dpow', loose).checkout!.commit).toBe(sha);
    const packed = checkout({
      '.git/HEAD': 'ref: refs/heads/master\n',
      '.git/packed-refs': `# pack-refs with: peeled fully-peeled sorted\n${sha} refs/heads/master\n`,
    });
    expect(readDpowCheckout('/dpow', packed).checkout!.commit).toBe(sha);
    const none = readDpowCheckout('/dpow', checkout());
    expect(none.checkout!.commit).toBeUndefined();
    const text = dpowPlatformText('/dpow', none.checkout!, checkout()).text!;
    expect(text.split('\n')[0]).toBe(
      '# Generated by dokomodo import dpow from a KomodoPlatform/dPoW checkout (iguana/version 0.8.4).',
    );
  });

  it('--commit must be a commit, --host-main an address', () => {
    const r = dokomodo(['import', 'dpow', FIXTURE, '--commit', 'HEAD~1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error bad-option');
    // an empty value stops at the option parser, any other non-address at the importer
    const h = dokomodo(['import', 'dpow', FIXTURE, '--host-main', '']);
    expect([h.code, h.stderr]).toEqual([2, expect.stringContaining('bad-option: --host-main ""')]);
    const a = dokomodo(['import', 'dpow', FIXTURE, '--host-main', 'not an address']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('is not an address');
  });

  it('is deterministic', () => {
    expect(importFrom(checkout()).text).toBe(importFrom(checkout()).text);
  });

  it('takes the host addresses; one address for both servers is refused', () => {
    const text = importFrom(checkout(), { hostMain: '198.51.100.7', host3p: '198.51.100.8' }).text!;
    expect(text).toContain('nn-main: { address: 198.51.100.7,');
    expect(text).toContain('nn-3p: { address: 198.51.100.8,');
    const same = importFrom(checkout(), { hostMain: '198.51.100.7', host3p: '198.51.100.7' });
    expect(same.text).toBeUndefined();
    expect(same.diagnostics.map((d) => d.code)).toEqual(['dpow-same-host']);
  });

  it('an elected file that is no built-in season is written inline, with its seeds', () => {
    const e = JSON.parse(fixtureText('iguana/elected'));
    e.notaries[0] = { newcomer_EU: `02${'1'.repeat(64)}` };
    e.seeds = e.seeds.slice(0, 9);
    const text = importFrom(checkout({ 'iguana/elected': JSON.stringify(e) })).text!;
    expect(text).toContain(
      '  elected:\n    # iguana/elected: not a season dokomodo has built in\n    port: 13848\n',
    );
    // Digits only: quoted, or YAML would read a number.
    expect(text).toContain(`      - { name: newcomer_EU, pubkey: "02${'1'.repeat(64)}" }`);
    expect(text).toContain(`    seeds:\n${e.seeds.map((x: string) => `      - ${x}\n`).join('')}    list:\n`);
    expect(text).toContain('    notaries: elected\n');
  });

  it('the built-in season with other seeds: season plus the seeds', () => {
    const e = JSON.parse(fixtureText('iguana/3rd_party'));
    e.seeds = ['198.51.100.1', ...e.seeds.slice(1)];
    const text = importFrom(checkout({ 'iguana/3rd_party': JSON.stringify(e) })).text!;
    expect(text).toContain(
      `  season8_3p:\n    # iguana/3rd_party: Season 8 (third party) with other seeds\n    season: 8\n    set: 3p\n    seeds:\n      - 198.51.100.1\n`,
    );
    const r = dokomodoLoad(text);
    expect(r.platform!.notaries.find((n) => n.name === 'season8_3p')!.seeds).toEqual(e.seeds);
  });
});

describe('import dpow: bad checkouts', () => {
  const codes = (r: { diagnostics: Array<{ code: string }> }) => r.diagnostics.map((d) => d.code);
  const where = (r: { diagnostics: Array<{ pos?: { file: string; line: number; col: number } }> }) =>
    r.diagnostics.map((d) => (d.pos ? `${d.pos.file}:${d.pos.line}:${d.pos.col}` : undefined));

  it('a missing assetchains.json', () => {
    const r = importFrom(checkout({ 'iguana/assetchains.json': null }));
    expect(r.text).toBeUndefined();
    expect(codes(r)).toEqual(['dpow-missing-file']);
    expect(r.diagnostics[0]!.message).toContain('/dpow/iguana/assetchains.json');
  });

  it('malformed JSON: the position of the error', () => {
    const text = fixtureText('iguana/assetchains.json').replace(
      '"ac_end": "1",\n    "ac_cc": "2"',
      '"ac_end": "1",,\n    "ac_cc": "2"',
    );
    const r = importFrom(checkout({ 'iguana/assetchains.json': text }));
    expect(r.text).toBeUndefined();
    expect(codes(r)).toEqual(['dpow-malformed']);
    expect(where(r)).toEqual(['/dpow/iguana/assetchains.json:5:19']);
    expect(r.diagnostics[0]!.frame).toMatch(/^> +5 \| +"ac_end": "1",,$/m);
  });

  it('a missing elected file: the line that starts Iguana with it', () => {
    const r = importFrom(checkout({ 'iguana/3rd_party': null }));
    expect(codes(r)).toEqual(['dpow-missing-file']);
    const m = fixtureText('iguana/m_notary_3rdparty').split('\n');
    const line = m.findIndex((l) => l.includes('agents/iguana 3rd_party')) + 1;
    expect(where(r)).toEqual([
      `/dpow/iguana/m_notary_3rdparty:${line}:${m[line - 1]!.indexOf('agents/iguana') + 1}`,
    ]);
  });

  it('a launch script that adds nothing', () => {
    const r = importFrom(
      checkout({ 'iguana/m_notary_3rdparty': '#!/bin/bash\n../agents/iguana 3rd_party &\n' }),
    );
    expect(codes(r)).toEqual(['dpow-malformed']);
    expect(r.diagnostics[0]!.message).toContain('adds no coin');
  });

  it('what the platform rules refuse is reported against the generated text; nothing written', () => {
    const dir = tempDir();
    for (const rel of listFiles(FIXTURE)) {
      const to = join(dir, rel);
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, fixtureText(rel));
    }
    // Without KMD the third-party Iguana has nothing to notarize into.
    const m = fixtureText('iguana/m_notary_3rdparty')
      .split('\n')
      .filter((l) => !l.includes('\\"newcoin\\":\\"KMD\\"'))
      .join('\n');
    writeFileSync(join(dir, 'iguana/m_notary_3rdparty'), m);
    const out = join(dir, 'out.yaml');
    const r = dokomodo(['import', 'dpow', dir, '--commit', COMMIT, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error iguana-needs-kmd');
    expect(r.stderr).toContain('error import-invalid');
    expect(existsSync(out)).toBe(false);
  });

  it('a coins file a launch script runs is missing: the line that runs it', () => {
    const r = importFrom(checkout({ 'iguana/coins/ltc_7776': null }));
    expect(codes(r)).toEqual(['dpow-missing-file']);
    expect(where(r)).toEqual(['/dpow/iguana/add_coins:10:1']);
  });

  it('an unknown coin in a coin list', () => {
    const add = fixtureText('iguana/add_coins').replace('coins/ltc_7776', 'coins/ltc_7776\ncoins/foo_7776');
    const foo = fixtureText('iguana/coins/mdx_7776').replaceAll('MDX', 'FOO');
    const r = importFrom(checkout({ 'iguana/add_coins': add, 'iguana/coins/foo_7776': foo }));
    expect(r.text).toBeUndefined();
    expect(codes(r)).toEqual(['dpow-unknown-coin']);
    expect(r.diagnostics[0]!.pos!.file).toBe('/dpow/iguana/coins/foo_7776');
    expect(r.diagnostics[0]!.message).toContain('iguana/assetchains.json has no such chain');
  });

  it('dpow for a coin that is never added', () => {
    const dp = fixtureText('iguana/dpowassets').replace('GLEEC_OLD', 'GLEEC_NEW');
    const r = importFrom(checkout({ 'iguana/dpowassets': dp }));
    expect(codes(r)).toEqual(['dpow-unknown-coin']);
    expect(r.diagnostics[0]!.message).toContain('GLEEC_NEW');
    expect(r.diagnostics[0]!.pos!.file).toBe('/dpow/iguana/dpowassets');
  });

  it('duplicate chains', () => {
    const list = JSON.parse(fixtureText('iguana/assetchains.json'));
    list.push(list[0]);
    const r = importFrom(checkout({ 'iguana/assetchains.json': JSON.stringify(list, null, 2) }));
    expect(codes(r)).toEqual(['dpow-duplicate-chain']);
    expect(r.diagnostics[0]!.message).toContain('CCL is listed twice');
    expect(r.diagnostics[0]!.pos!.line).toBeGreaterThan(100);
  });

  it('a coins file whose ports disagree with the computed ones', () => {
    const ccl = fixtureText('iguana/coins/ccl_7776').replace('\\"p2p\\":20848', '\\"p2p\\":20850');
    const r = importFrom(checkout({ 'iguana/coins/ccl_7776': ccl }));
    expect(r.text).toBeUndefined();
    expect(codes(r)).toEqual(['dpow-coin-mismatch']);
    expect(r.diagnostics[0]!.message).toContain(
      'p2p 20850, but the parameters of iguana/assetchains.json give 20848',
    );
    const col = ccl.indexOf('\\"p2p\\"') + 1;
    expect(where(r)).toEqual([`/dpow/iguana/coins/ccl_7776:1:${col}`]);
  });

  it('a coins file whose netmagic disagrees (parameters changed upstream)', () => {
    const list = JSON.parse(fixtureText('iguana/assetchains.json'));
    list.find((c: { ac_name: string }) => c.ac_name === 'KOIN').ac_supply = '125000001';
    const r = importFrom(checkout({ 'iguana/assetchains.json': JSON.stringify(list) }));
    expect(codes(r)).toEqual(['dpow-coin-mismatch', 'dpow-coin-mismatch', 'dpow-coin-mismatch']);
    expect(r.diagnostics.map((d) => d.message.split(' has ')[1]!.split(' ')[0])).toEqual([
      'netmagic',
      'p2p',
      'rpc',
    ]);
  });

  it('a launch script whose --data is not JSON', () => {
    const m = fixtureText('iguana/m_notary_3rdparty').replace(
      '\\"newcoin\\":\\"KMD\\",',
      '\\"newcoin\\":\\"KMD\\",,',
    );
    const r = importFrom(checkout({ 'iguana/m_notary_3rdparty': m }));
    expect(codes(r)).toEqual(['dpow-malformed']);
    const line = m.split('\n').findIndex((l) => l.includes('KMD\\",,')) + 1;
    expect(r.diagnostics[0]!.pos).toMatchObject({ file: '/dpow/iguana/m_notary_3rdparty', line });
  });
});

describe('dokomodo import dpow (CLI)', () => {
  it('--out writes the file; never over an existing one without --force', () => {
    const dir = tempDir();
    const out = join(dir, 'dokomodo.yaml');
    const a = dokomodo(['import', 'dpow', FIXTURE, '--commit', COMMIT, '--out', out]);
    expect(a.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(EXAMPLE, 'utf8'));
    writeFileSync(out, 'mine\n');
    const b = dokomodo(['import', 'dpow', FIXTURE, '--commit', COMMIT, '--out', out]);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain('error file-exists');
    expect(readFileSync(out, 'utf8')).toBe('mine\n');
    const c = dokomodo(['import', 'dpow', FIXTURE, '--commit', COMMIT, '--out', out, '--force']);
    expect(c.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(EXAMPLE, 'utf8'));
    expect(readdirSync(dir)).toEqual(['dokomodo.yaml']);
  });

  it('a bad checkout: diagnostics with file:line:col, exit 1, nothing written', () => {
    const dir = tempDir();
    const out = join(dir, 'dokomodo.yaml');
    const r = dokomodo(['import', 'dpow', dir, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error dpow-missing-file');
    expect(r.stderr).toContain('error import-failed');
    expect(r.stderr).not.toMatch(/at .*\.(ts|js):\d+/);
    expect(existsSync(out)).toBe(false);
  });

  it('--diff: nothing changed against the example; exit 0', () => {
    const r = dokomodo(['import', 'dpow', FIXTURE, '--diff', '-f', EXAMPLE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('is up to date with');
  });

  it('--diff against the 2024 example: dropped and new chains, parameters, daemons, the 3P keys; exit 1', () => {
    const r = dokomodo([
      'import',
      'dpow',
      FIXTURE,
      '--diff',
      '--json',
      '-f',
      'test/fixtures/komodo-mainnet-2024.yaml',
    ]);
    expect(r.code).toBe(1);
    const { changes } = JSON.parse(r.stdout) as {
      changes: Array<{ kind: string; subject: string; field?: string; was?: string; now?: string }>;
    };
    const of = (kind: string) => changes.filter((c) => c.kind === kind).map((c) => c.subject);
    expect(of('chain-removed').sort()).toEqual(['MORTY', 'NINJA', 'RICK', 'SUPERNET']);
    expect(of('chain-added').sort()).toEqual(['BCZERO', 'GLEEC_OLD', 'MDX', 'RAPH', 'TOKEL']);
    expect(changes).toContainEqual({
      kind: 'chain-changed',
      subject: 'GLEEC',
      field: 'params.ac_supply',
      was: '210000000',
      now: '1000000000',
    });
    expect(changes).toContainEqual({
      kind: 'chain-changed',
      subject: 'MCL',
      field: 'daemon',
      was: 'komodod',
      now: 'marmarad',
    });
    // The 2024 file gave the third-party Iguana the main keys: every one of the 64 differs.
    expect(changes.filter((c) => c.kind === 'notaries' && c.subject === '3p' && c.was && c.now)).toHaveLength(
      64,
    );
    expect(changes.filter((c) => c.kind === 'notaries' && c.subject === 'main')).toEqual([]);
    // Both files name `season: 8`: their seeds are the built-in ones, so no seeds change shows.
    expect(changes.filter((c) => c.kind === 'seeds')).toEqual([]);
    expect(changes.filter((c) => c.kind === 'notary-settings')).toEqual([]);
    const table = dokomodo([
      'import',
      'dpow',
      FIXTURE,
      '--diff',
      '-f',
      'test/fixtures/komodo-mainnet-2024.yaml',
    ]);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/^change\s+subject\s+field\s+was\s+now$/m);
    expect(table.stdout).toMatch(/^chain-removed\s+RICK\s/m);
    expect(table.stdout).toMatch(/changes upstream against test\/fixtures\/komodo-mainnet-2024\.yaml$/m);
  });
});
