// `dokomodo backup`, `backup list|verify`, `restore` as a user runs them, each on a temporary HOME:
// backup → wipe → restore gives the same bytes and modes; damaged, truncated or wrongly keyed
// backups restore nothing; the passphrase shows in no file, output or process argument.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
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
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deriveKeys } from '../../src/komodo/keys.ts';
import { sshShell } from '../../src/operator/remote/shell.ts';
import { loadPlatformFile } from '../../src/platform/index.ts';
import { sshYaml, type TestHosts, testHostsUnavailable, upTestHosts } from '../harness/testhosts.ts';
import { dokomodo, type RunResult } from './helpers.ts';

const PASSPHRASE = 'cli backup passphrase Kx4-never-shown-71b0';
const temps: string[] = [];
let home: string;
let keep: string;
const outputs: string[] = [];

function temp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}

function put(rel: string, content: string | Uint8Array, mode: number): void {
  const p = join(home, rel);
  mkdirSync(dirname(p), { recursive: true, mode: 0o700 });
  writeFileSync(p, content);
  chmodSync(p, mode);
}

function platform(extraDefaults = ''): void {
  put(
    'node/dokomodo.yaml',
    `version: 1
secret: { file: secret.key }
defaults: { datadir: ~/chains${extraDefaults} }
hosts:
  local: { address: 127.0.0.1 }
chains:
  KMD: {}
  DOC: { params: { ac_supply: 90000000000, ac_reward: 100000000 } }
  LTC: { coin: LTC, backup: { wallet: true } }
`,
    0o644,
  );
}

function populate(): void {
  platform();
  put('node/secret.key', 'cGxhdGZvcm0gc2VjcmV0IGZvciB0ZXN0cw==\n', 0o600);
  put(
    '.dokomodo/utxo/DOC.journal.json',
    '{"format":"dokomodo-utxo-journal/1","chain":"DOC","txs":[]}\n',
    0o600,
  );
  put('.dokomodo/iguana/main/state.json', '{"version":1}\n', 0o600);
  put('.dokomodo/monitor/aaaabbbbcccc/alerts.json', '{"version":1,"alerts":[]}\n', 0o640);
  put('.litecoin/wallet.dat', randomBytes(4096), 0o600);
}

const FILES = [
  '.dokomodo/iguana/main/state.json',
  '.dokomodo/monitor/aaaabbbbcccc/alerts.json',
  '.dokomodo/utxo/DOC.journal.json',
  '.litecoin/wallet.dat',
  'node/dokomodo.yaml',
  'node/secret.key',
];

function snapshot(dir: string, skip = '.dokomodo/backups'): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, depth: number) => {
    if (depth > 10) return;
    for (const n of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, n.name);
      if (relative(dir, p) === skip) continue;
      if (n.isDirectory()) walk(p, depth + 1);
      else if (n.isFile())
        out.set(
          relative(dir, p),
          `${(statSync(p).mode & 0o7777).toString(8)} ${readFileSync(p).toString('hex')}`,
        );
    }
  };
  walk(dir, 0);
  return out;
}

function wipe(): void {
  for (const n of readdirSync(home)) rmSync(join(home, n), { recursive: true, force: true });
}

/** The CLI with this test's HOME; every output is kept for the passphrase scan. */
function run(
  args: string[],
  opts: { input?: string; env?: Record<string, string | undefined> } = {},
): RunResult {
  const r = dokomodo(args, { ...opts, env: { HOME: home, DOKOMODO_FILE: undefined, ...opts.env } });
  outputs.push(r.stdout, r.stderr);
  return r;
}

const file = () => join(home, 'node/dokomodo.yaml');
const pass = { input: `${PASSPHRASE}\n` };

function makeBackup(extra: string[] = []): string {
  const r = run(['-f', file(), 'backup', '--passphrase-stdin', ...extra], pass);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const m = /backup (~\/\S+\.backup):/.exec(r.stdout);
  expect(m).not.toBeNull();
  const b = m![1]!.replace(/^~/, home);
  const kept = join(keep, `${randomBytes(4).toString('hex')}.backup`);
  copyFileSync(b, kept);
  return kept;
}

beforeEach(() => {
  home = temp('dokomodo-cli-backup-home-');
  keep = temp('dokomodo-cli-backup-keep-');
  populate();
});

afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe('dokomodo backup → wipe → restore', () => {
  it('brings back every file byte for byte with its mode, and says what needs no backup', () => {
    const before = snapshot(home);
    expect([...before.keys()].sort()).toEqual(FILES);
    const r = run(['-f', file(), 'backup', '--passphrase-stdin'], pass);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('6 entries');
    expect(r.stdout).toContain('Without any backup, the platform file and the passphrase rebuild:');
    expect(r.stdout).toContain('the notary keys, WIFs and addresses of every chain');
    expect(r.stdout).toContain('Only a backup brings back:');
    const name = /backup ~\/\.dokomodo\/backups\/(dokomodo-\d{8}T\d{6}Z\.backup):/.exec(r.stdout)![1]!;
    const b = join(home, '.dokomodo/backups', name);
    expect(statSync(b).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(b)).mode & 0o777).toBe(0o700);

    const list = run(['backup', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(name);
    expect(list.stdout).toContain('passphrase');
    const listed = JSON.parse(run(['--json', 'backup', 'list', '--passphrase-stdin'], pass).stdout);
    expect(listed.backups).toMatchObject([
      { file: b, entries: 6, key: 'passphrase', bytes: statSync(b).size },
    ]);

    const kept = join(keep, name);
    copyFileSync(b, kept);
    wipe();
    const dry = run(['restore', kept, '--passphrase-stdin', '--dry-run'], pass);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would create 6');
    expect(readdirSync(home)).toEqual([]);

    const res = run(['restore', kept, '--passphrase-stdin'], pass);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('6 created');
    expect(snapshot(home)).toEqual(before);

    // the restored platform file works again
    expect(run(['-f', file(), 'validate']).code).toBe(0);
  });

  it('backup verify checks every entry; a damaged, cut or wrongly keyed backup restores nothing', () => {
    const b = makeBackup();
    const ok = run(['backup', 'verify', b, '--passphrase-stdin'], pass);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('6 entries, every sha256 matches');

    const good = readFileSync(b);
    const flipped = join(keep, 'flipped.backup');
    const cut = join(keep, 'cut.backup');
    const f = Buffer.from(good);
    const mid = Math.floor(good.length / 2);
    f[mid] = f[mid]! ^ 0x01;
    writeFileSync(flipped, f);
    writeFileSync(cut, good.subarray(0, good.length - 7));
    wipe();
    const cases: Array<[string, string[], string]> = [
      ['flipped', [flipped, '--passphrase-stdin'], 'backup-corrupt'],
      ['cut', [cut, '--passphrase-stdin'], 'backup-truncated'],
    ];
    for (const [what, args, code] of cases) {
      for (const cmd of [['backup', 'verify'], ['restore']]) {
        const r = run([...cmd, ...args], pass);
        expect({ what, cmd, code: r.code, err: r.stderr.split('\n')[0] }).toEqual({
          what,
          cmd,
          code: 1,
          err: expect.stringContaining(`error ${code}:`),
        });
      }
    }
    const wrong = run(['restore', b, '--passphrase-stdin'], { input: 'not the passphrase\n' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('error backup-wrong-key:');
    expect(wrong.stderr).toContain('nothing was restored');
    expect(readdirSync(home)).toEqual([]);
  });

  it('a restore that would clobber a different file refuses without --force; --force keeps a .bak', () => {
    const b = makeBackup();
    const wallet = join(home, '.litecoin/wallet.dat');
    const original = readFileSync(wallet);
    writeFileSync(wallet, 'another wallet');
    rmSync(join(home, '.dokomodo/utxo/DOC.journal.json'));
    const refused = run(['restore', b, '--passphrase-stdin'], pass);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error restore-conflict:');
    expect(refused.stderr).toContain(wallet);
    expect(readFileSync(wallet, 'utf8')).toBe('another wallet');
    expect(existsSync(join(home, '.dokomodo/utxo/DOC.journal.json'))).toBe(false);

    const dry = run(['restore', b, '--passphrase-stdin', '--dry-run'], pass);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toMatch(/differs: replace \(needs --force\)\s+~\/\.litecoin\/wallet\.dat/);

    const forced = JSON.parse(run(['--json', 'restore', b, '--passphrase-stdin', '--force'], pass).stdout);
    const w = forced.files.find((x: { path: string }) => x.path === wallet);
    expect(w.action).toBe('replace');
    expect(readFileSync(wallet).equals(original)).toBe(true);
    expect(readFileSync(w.kept, 'utf8')).toBe('another wallet');
    expect(w.kept).toMatch(/wallet\.dat\.bak-\d{8}T\d{6}Z$/);
    expect(existsSync(join(home, '.dokomodo/utxo/DOC.journal.json'))).toBe(true);
  });

  it('with a backup key file instead; the key file and the passphrase exclude each other', () => {
    const key = join(keep, 'backup.key');
    writeFileSync(key, randomBytes(32), { mode: 0o600 });
    const r = run(['-f', file(), 'backup', '--key-file', key, '--out', join(keep, 'k.backup')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`encrypted with the key file ${key}`);
    wipe();
    expect(run(['restore', join(keep, 'k.backup'), '--passphrase-stdin'], pass).stderr).toContain(
      'error backup-wrong-key:',
    );
    expect(readdirSync(home)).toEqual([]);
    const res = run(['restore', join(keep, 'k.backup'), '--key-file', key]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('6 created');
    const both = run(
      ['backup', 'verify', join(keep, 'k.backup'), '--key-file', key, '--passphrase-stdin'],
      pass,
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('error bad-option:');
    expect(
      run(['-f', file(), 'backup', '--key-file', key, '--out', join(keep, 'k.backup')]).stderr,
    ).toContain('error backup-exists:');
  });

  it('refuses a passphrase that does not give defaults.pubkey, and writes no backup', () => {
    const { pubkey } = deriveKeys('some other passphrase', []);
    platform(`, pubkey: ${pubkey}`);
    const r = run(['-f', file(), 'backup', '--passphrase-stdin'], pass);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error pubkey-mismatch:');
    expect(existsSync(join(home, '.dokomodo/backups'))).toBe(false);
    platform(`, pubkey: ${deriveKeys(PASSPHRASE, []).pubkey}`);
    expect(run(['-f', file(), 'backup', '--passphrase-stdin'], pass).code).toBe(0);
  });
});

/** Runs the CLI, reads its argv and environment from /proc while it waits for the passphrase, then sends it. */
async function argvWhileWaiting(args: string[]): Promise<{ code: number; cmdline: string; environ: string }> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    HOME: home,
    NO_COLOR: '1',
  };
  delete env['DOKOMODO_PASSPHRASE'];
  const child = spawn(process.execPath, ['bin/dokomodo.js', ...args], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await new Promise((r) => setTimeout(r, 300));
  const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'latin1');
  const environ = readFileSync(`/proc/${child.pid}/environ`, 'latin1');
  child.stdin.end(`${PASSPHRASE}\n`);
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  outputs.push(out);
  return { code, cmdline, environ };
}

describe('the passphrase', () => {
  it('is in no file written, no output and no process argument or environment', async () => {
    const b = makeBackup();
    const bk = await argvWhileWaiting([
      '-f',
      file(),
      'backup',
      '--passphrase-stdin',
      '--out',
      join(keep, 'p.backup'),
    ]);
    expect(bk.code).toBe(0);
    wipe();
    const rs = await argvWhileWaiting(['restore', b, '--passphrase-stdin']);
    expect(rs.code).toBe(0);
    run(['backup', 'verify', b, '--passphrase-stdin'], { input: 'wrong one\n' });
    run(['backup', 'verify', b], { env: { DOKOMODO_PASSPHRASE: PASSPHRASE } });
    for (const p of [bk, rs]) {
      expect(p.cmdline).toContain('--passphrase-stdin');
      expect(p.cmdline).not.toContain(PASSPHRASE);
      expect(p.environ).not.toContain(PASSPHRASE);
    }
    const files = [
      ...[...snapshot(home, '').keys()].map((k) => join(home, k)),
      ...readdirSync(keep).map((n) => join(keep, n)),
    ];
    expect(files.length).toBeGreaterThanOrEqual(FILES.length + 2);
    const needle = Buffer.from(PASSPHRASE);
    for (const f of files) expect({ f, has: readFileSync(f).includes(needle) }).toEqual({ f, has: false });
    expect(outputs.length).toBeGreaterThan(8);
    for (const o of outputs) expect(o).not.toContain(PASSPHRASE);
  });
});

const why = testHostsUnavailable();
describe.skipIf(why !== undefined)(
  why ? `a wallet on another host (skipped: ${why})` : 'a wallet on another host, over real SSH',
  () => {
    let th: TestHosts;
    let controlDir: string;
    beforeAll(async () => {
      th = await upTestHosts(1);
      controlDir = temp('dkb-');
    }, 60_000);
    afterAll(() => th?.down());

    it('is backed up over SSH; restore leaves it to its host, --extract writes it out', async () => {
      const h = th.hosts[0]!;
      put(
        'node/dokomodo.yaml',
        `version: 1
secret: { file: secret.key }
defaults: { host: local }
hosts:
  local: { address: 127.0.0.1 }
  th1: { address: ${h.address}, home: ${h.home}, ssh: ${sshYaml(th, h)} }
chains:
  KMD: {}
  LTC: { coin: LTC, host: th1, backup: { wallet: true } }
`,
        0o644,
      );
      const wallet = randomBytes(70_000);
      const th1 = loadPlatformFile(file()).platform!.hosts.find((x) => x.name === 'th1')!;
      const sh = sshShell(th1, { controlDir });
      const w = await sh.run(
        ['sh', '-c', 'umask 077; mkdir -p "$1" && base64 -d > "$1/wallet.dat"', 'sh', `${h.home}/.litecoin`],
        {
          input: wallet.toString('base64'),
        },
      );
      await sh.close();
      expect(w.code, w.stderr).toBe(0);

      const out = join(keep, 'fleet.backup');
      const env = { TMPDIR: controlDir };
      const b = run(['-f', file(), 'backup', '--passphrase-stdin', '--out', out], { ...pass, env });
      expect(b.stderr).toBe('');
      expect(b.code).toBe(0);
      expect(b.stdout).toMatch(
        /wallet\/LTC\/wallet\.dat\s+th1:~\/\.litecoin\/wallet\.dat\s+0600\s+68\.4 KiB/,
      );

      wipe();
      const r = run(['restore', out, '--passphrase-stdin'], pass);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('1 entry is of other hosts and not written here');
      expect(existsSync(join(home, '.litecoin'))).toBe(false);
      const dir = join(keep, 'extracted');
      const x = run(['restore', out, '--passphrase-stdin', '--extract', dir], pass);
      expect(x.code).toBe(0);
      const got = join(dir, 'wallet/LTC/wallet.dat');
      expect(readFileSync(got).equals(wallet)).toBe(true);
      expect(statSync(got).mode & 0o777).toBe(0o600);
    }, 60_000);
  },
);
