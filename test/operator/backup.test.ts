// backup → wipe → restore on a temporary HOME: byte-identical files and modes; a damaged,
// truncated or wrongly keyed backup restores nothing; a different file in the way is not
// clobbered without force; the passphrase is in no file written.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import {
  chmodSync,
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
import { writeFileAtomic } from '../../src/core/atomic.ts';
import { DokomodoError } from '../../src/core/errors.ts';
import {
  type BackupKey,
  createBackup,
  listBackups,
  openBackup,
  parseHeader,
  restoreBackup,
  verifyBackup,
} from '../../src/operator/backup.ts';
import { fleetReach } from '../../src/operator/remote/reach.ts';
import { type HostShell, runProgram } from '../../src/operator/remote/shell.ts';
import { nodeRuntime } from '../../src/operator/runtime.ts';
import { loadPlatformFile } from '../../src/platform/index.ts';
import type { HostModel } from '../../src/platform/model.ts';

const PASSPHRASE = 'backup test passphrase Zq7-unique-9f3e1c';
const PUBKEY = '02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1';
const CHEAP = { logN: 10, r: 8, p: 1 };
const key: BackupKey = { passphrase: PASSPHRASE };

let home: string;
let outDir: string;
/** The home of host `far`, reached through a stand-in shell (tests of remote wallets). */
let remote: string;
const savedHome = process.env['HOME'];

/** Every regular file under dir: relative path → bytes and mode. */
function snapshot(dir: string): Map<string, { bytes: string; mode: number }> {
  const out = new Map<string, { bytes: string; mode: number }>();
  const walk = (d: string, depth: number) => {
    if (depth > 10) return;
    for (const n of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, n.name);
      if (n.isDirectory()) walk(p, depth + 1);
      else if (n.isFile())
        out.set(relative(dir, p), {
          bytes: readFileSync(p).toString('hex'),
          mode: statSync(p).mode & 0o7777,
        });
    }
  };
  walk(dir, 0);
  return out;
}

function put(rel: string, content: string | Uint8Array, mode: number): void {
  const p = join(home, rel);
  mkdirSync(dirname(p), { recursive: true, mode: 0o700 });
  writeFileSync(p, content);
  chmodSync(p, mode);
}

/** The files a node has: platform file and what it names, state, journals, a wallet, and what is not backed up. */
function populate(): void {
  const seeds = JSON.stringify(Array(8).fill('127.0.0.2'));
  put(
    'platform/dokomodo.yaml',
    `version: 1
secret: { file: secret.key }
defaults: { datadir: ~/chains, pubkey: ${PUBKEY}, host: local }
hosts:
  local: { address: 127.0.0.1 }
  far: { address: 198.51.100.7, ssh: { user: nn }, home: ${remote} }
chains:
  KMD: {}
  DOC: { params: { ac_supply: 90000000000, ac_reward: 100000000 } }
  LTC: { coin: LTC, backup: { wallet: true } }
  BTC: { coin: BTC, host: far, backup: { wallet: true } }
iguana:
  main: { coins: [KMD, DOC], notaries: elected, host: local }
notaries:
  elected: { file: lists/elected.json, minsigs: 1, seeds: ${seeds} }
`,
    0o644,
  );
  put('platform/secret.key', 'c2VjcmV0IG9mIHRoZSBwbGF0Zm9ybQ==\n', 0o600);
  put('platform/lists/elected.json', JSON.stringify({ dev_EU: PUBKEY }), 0o640);
  put('.dokomodo/iguana/main/state.json', '{"version":1,"done":["addcoin KMD"]}\n', 0o600);
  put('.dokomodo/iguana/main/KMD.addcoin.json', '{"rendered": true}\n', 0o600);
  put('.dokomodo/monitor/0123456789ab/alerts.json', '{"version":1,"alerts":[]}\n', 0o600);
  put('.dokomodo/monitor/0123456789ab/logs.json', '{"offsets":{}}\n', 0o600);
  put('.dokomodo/utxo/DOC.journal.json', '{"format":"dokomodo-utxo-journal/1","txs":[]}\n', 0o600);
  put('.dokomodo/utxo/DOC.lock', '12345', 0o600);
  put('.dokomodo/devnet/KMD/blocks.dat', randomBytes(256), 0o600);
  put('.litecoin/wallet.dat', randomBytes(3000), 0o600);
}

const BACKED_UP = [
  'platform/dokomodo.yaml',
  'platform/secret.key',
  'platform/lists/elected.json',
  '.dokomodo/iguana/main/state.json',
  '.dokomodo/monitor/0123456789ab/alerts.json',
  '.dokomodo/monitor/0123456789ab/logs.json',
  '.dokomodo/utxo/DOC.journal.json',
  '.litecoin/wallet.dat',
].sort();

/** Host `far` as this machine with another HOME: the shell a fleet runtime gets over SSH. */
function farShell(h: HostModel): HostShell {
  return {
    host: h.name,
    local: false,
    run: (argv, o) => runProgram('env', [`HOME=${remote}`, ...argv], o),
    forwardAll: async (ports) => ports.map((port) => ({ host: '127.0.0.1', port })),
    alive: async () => true,
    close: async () => {},
  };
}

/** The runtime of a command: `far` unreachable (direct), or reached through farShell (fleet). */
function runtime(opts: { fleet?: boolean } = {}) {
  const loaded = loadPlatformFile(join(home, 'platform/dokomodo.yaml'));
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const platform = loaded.platform!;
  return nodeRuntime(platform, {
    stateDir: join(home, '.dokomodo'),
    secret: 'unused',
    ...(opts.fleet ? { reach: fleetReach(platform, { shellFor: farShell }) } : {}),
  });
}

function wipeHome(): void {
  for (const n of readdirSync(home)) rmSync(join(home, n), { recursive: true, force: true });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DokomodoError) return e.code;
    throw e;
  }
  return 'no error';
}

async function makeBackup(k: BackupKey = key, rtOpts: { fleet?: boolean } = {}) {
  return createBackup(runtime(rtOpts), {
    key: k,
    out: join(outDir, `b-${randomBytes(4).toString('hex')}.backup`),
    version: '9.9.9-test',
    scrypt: CHEAP,
  });
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'dokomodo-backup-home-'));
  outDir = mkdtempSync(join(tmpdir(), 'dokomodo-backup-out-'));
  remote = mkdtempSync(join(tmpdir(), 'dokomodo-backup-far-'));
  process.env['HOME'] = home;
});
afterAll(() => {
  process.env['HOME'] = savedHome;
  rmSync(home, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
  rmSync(remote, { recursive: true, force: true });
});
beforeEach(() => {
  wipeHome();
  populate();
});

describe('backup → wipe → restore', () => {
  it('restores every file byte for byte with its mode; leaves out what is derivable', async () => {
    const before = snapshot(home);
    const r = await makeBackup();
    expect(r.entries.map((e) => relative(home, e.path.replace(/^~/, home))).sort()).toEqual(BACKED_UP);
    expect(r.entries.every((e) => e.path.startsWith('~/'))).toBe(true);
    expect(r.skipped).toEqual([
      {
        name: 'wallet/BTC/wallet.dat',
        reason: expect.stringContaining('on host far'),
      },
    ]);
    expect(statSync(r.file).mode & 0o777).toBe(0o600);

    wipeHome();
    expect(snapshot(home).size).toBe(0);
    const items = await restoreBackup(r.file, { key, writeFile: writeFileAtomic });
    expect(items.map((i) => i.action)).toEqual(Array(BACKED_UP.length).fill('create'));
    const after = snapshot(home);
    expect([...after.keys()].sort()).toEqual(BACKED_UP);
    for (const [rel, got] of after) expect({ rel, ...got }).toEqual({ rel, ...before.get(rel)! });
  });

  it('a second restore finds everything in place; --dry-run writes nothing', async () => {
    const r = await makeBackup();
    const again = await restoreBackup(r.file, { key, writeFile: writeFileAtomic });
    expect(new Set(again.map((i) => i.action))).toEqual(new Set(['unchanged']));
    wipeHome();
    const dry = await restoreBackup(r.file, { key, dryRun: true, writeFile: writeFileAtomic });
    expect(dry.map((i) => i.action)).toEqual(Array(BACKED_UP.length).fill('create'));
    expect(snapshot(home).size).toBe(0);
  });

  it('restores a mode that was changed, without --force (same bytes)', async () => {
    const r = await makeBackup();
    chmodSync(join(home, '.litecoin/wallet.dat'), 0o644);
    const items = await restoreBackup(r.file, { key, writeFile: writeFileAtomic });
    expect(items.find((i) => i.meta.name === 'wallet/LTC/wallet.dat')!.action).toBe('mode');
    expect(statSync(join(home, '.litecoin/wallet.dat')).mode & 0o777).toBe(0o600);
  });

  it('a different file in the way: refused, nothing written; --force replaces it and keeps a .bak', async () => {
    const r = await makeBackup();
    const journal = join(home, '.dokomodo/utxo/DOC.journal.json');
    const original = readFileSync(journal, 'utf8');
    writeFileSync(journal, '{"changed": true}\n');
    rmSync(join(home, '.dokomodo/iguana/main/state.json'));
    expect(await codeOf(restoreBackup(r.file, { key, writeFile: writeFileAtomic }))).toBe('restore-conflict');
    expect(readFileSync(journal, 'utf8')).toBe('{"changed": true}\n');
    expect(existsSync(join(home, '.dokomodo/iguana/main/state.json'))).toBe(false);

    const dry = await restoreBackup(r.file, { key, dryRun: true, writeFile: writeFileAtomic });
    expect(dry.find((i) => i.target === journal)!.action).toBe('replace');

    const items = await restoreBackup(r.file, {
      key,
      force: true,
      now: Date.UTC(2026, 11, 3, 12, 0, 0),
      writeFile: writeFileAtomic,
    });
    const replaced = items.find((i) => i.target === journal)!;
    expect(replaced.kept).toBe(`${journal}.bak-20261203T120000Z`);
    expect(readFileSync(journal, 'utf8')).toBe(original);
    expect(readFileSync(replaced.kept!, 'utf8')).toBe('{"changed": true}\n');
    expect(existsSync(join(home, '.dokomodo/iguana/main/state.json'))).toBe(true);
  });
});

describe('a damaged backup restores nothing', () => {
  it('every byte of the header flipped, bytes across the ciphertext and the tag: backup-corrupt', async () => {
    const r = await makeBackup();
    const good = readFileSync(r.file);
    const { head } = parseHeader(good, r.file);
    const positions = new Set<number>();
    for (let i = 0; i < head.length; i++) positions.add(i);
    for (let i = head.length; i < good.length; i += 53) positions.add(i);
    for (let i = good.length - 16; i < good.length; i++) positions.add(i);
    const bad = join(outDir, 'flipped.backup');
    const codes = new Map<string, number[]>();
    for (const i of positions) {
      const b = Buffer.from(good);
      b[i] = b[i]! ^ 0xff;
      writeFileSync(bad, b);
      const code = await codeOf(openBackup(bad, key));
      codes.set(code, [...(codes.get(code) ?? []), i]);
    }
    expect([...codes.keys()]).toEqual(['backup-corrupt']);
    expect(codes.get('backup-corrupt')!.length).toBeGreaterThan(head.length + 60);

    // and through restore, on a wiped home: nothing written
    const b = Buffer.from(good);
    b[good.length - 1] = b[good.length - 1]! ^ 1;
    writeFileSync(bad, b);
    wipeHome();
    expect(await codeOf(restoreBackup(bad, { key, writeFile: writeFileAtomic }))).toBe('backup-corrupt');
    expect(snapshot(home).size).toBe(0);
  });

  it('cut short anywhere: backup-truncated; bytes added: backup-corrupt', async () => {
    const r = await makeBackup();
    const good = readFileSync(r.file);
    const { head } = parseHeader(good, r.file);
    const bad = join(outDir, 'cut.backup');
    const cuts = [
      0,
      1,
      10,
      17,
      18,
      60,
      head.length - 2,
      head.length - 1,
      head.length,
      head.length + 1,
      good.length - 16,
      good.length - 1,
    ];
    for (const n of cuts) {
      writeFileSync(bad, good.subarray(0, n));
      expect({ n, code: await codeOf(openBackup(bad, key)) }).toEqual({ n, code: 'backup-truncated' });
    }
    writeFileSync(bad, Buffer.concat([good, Buffer.from([0])]));
    expect(await codeOf(openBackup(bad, key))).toBe('backup-corrupt');
    writeFileSync(bad, good.subarray(0, good.length - 100));
    wipeHome();
    expect(await codeOf(restoreBackup(bad, { key, writeFile: writeFileAtomic }))).toBe('backup-truncated');
    expect(snapshot(home).size).toBe(0);
  });

  it('a wrong passphrase or the wrong kind of key: backup-wrong-key', async () => {
    const r = await makeBackup();
    wipeHome();
    const wrong = { passphrase: `${PASSPHRASE}x` };
    expect(await codeOf(restoreBackup(r.file, { key: wrong, writeFile: writeFileAtomic }))).toBe(
      'backup-wrong-key',
    );
    const kf = join(outDir, 'some.key');
    writeFileSync(kf, randomBytes(32), { mode: 0o600 });
    expect(await codeOf(verifyBackup(r.file, { keyFile: kf }))).toBe('backup-wrong-key');
    expect(snapshot(home).size).toBe(0);
  });

  it('not a backup at all: backup-corrupt', async () => {
    const bad = join(outDir, 'other.backup');
    writeFileSync(bad, 'version: 1\nchains: {}\n');
    expect(await codeOf(openBackup(bad, key))).toBe('backup-corrupt');
  });
});

describe('a backup key file instead of the passphrase', () => {
  it('round-trips; another key file is a wrong key; a key file readable by others is refused', async () => {
    const kf = join(outDir, 'backup.key');
    writeFileSync(kf, randomBytes(32), { mode: 0o600 });
    const r = await makeBackup({ keyFile: kf });
    expect(JSON.parse(readFileSync(r.file, 'utf8').split('\n')[1]!).kdf.name).toBe('hkdf-sha256');
    const v = await verifyBackup(r.file, { keyFile: kf });
    expect(v.entries.length).toBe(BACKED_UP.length);
    expect(await codeOf(verifyBackup(r.file, key))).toBe('backup-wrong-key');
    const other = join(outDir, 'other.key');
    writeFileSync(other, randomBytes(32), { mode: 0o600 });
    expect(await codeOf(verifyBackup(r.file, { keyFile: other }))).toBe('backup-wrong-key');
    chmodSync(kf, 0o644);
    expect(await codeOf(verifyBackup(r.file, { keyFile: kf }))).toBe('backup-key-unreadable');
    writeFileSync(other, 'short\n');
    expect(await codeOf(makeBackup({ keyFile: other }))).toBe('backup-key-unreadable');
  });
});

describe('backup files', () => {
  it('are never replaced, are named by their UTC time, and list from their headers alone', async () => {
    const rt = runtime();
    const dir = join(outDir, 'listed');
    const opts = { key, dir, version: '9.9.9-test', scrypt: CHEAP };
    const a = await createBackup(rt, opts);
    const b = await createBackup(rt, opts);
    expect(a.file).toMatch(/\/dokomodo-\d{8}T\d{6}Z\.backup$/);
    expect(b.file).not.toBe(a.file);
    expect(await codeOf(createBackup(rt, { ...opts, out: a.file }))).toBe('backup-exists');
    const damaged = readFileSync(b.file);
    writeFileSync(b.file, damaged.subarray(0, 30));
    const listed = listBackups(dir);
    expect(listed).toHaveLength(2);
    const ok = listed.find((l) => l.file === a.file)!;
    expect(ok).toMatchObject({
      created: a.created,
      dokomodo: '9.9.9-test',
      key: 'passphrase',
      bytes: a.bytes,
    });
    expect(listed.find((l) => l.file === b.file)!.problem!.code).toBe('backup-truncated');
  });

  it('hold the passphrase nowhere, and nothing of the entries outside the ciphertext', async () => {
    const r = await makeBackup();
    const pass = Buffer.from(PASSPHRASE);
    const files = [...snapshot(home).keys()].map((k) => join(home, k));
    files.push(
      ...readdirSync(outDir)
        .map((n) => join(outDir, n))
        .filter((p) => statSync(p).isFile()),
    );
    expect(files).toContain(r.file);
    for (const f of files) expect({ f, has: readFileSync(f).includes(pass) }).toEqual({ f, has: false });
    const text = readFileSync(r.file).toString('latin1');
    for (const word of ['wallet.dat', 'journal', 'dokomodo.yaml', 'elected', 'c2VjcmV0'])
      expect(text).not.toContain(word);
  });
});

describe('wallets of running daemons', () => {
  /** A litecoind stand-in: `backupwallet PATH` writes its own copy there, or fails. */
  async function fakeDaemon(copy: Buffer | undefined): Promise<{ port: number; close: () => Promise<void> }> {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const { method, params, id } = JSON.parse(body) as { method: string; params: string[]; id: unknown };
        const ok = method === 'backupwallet' && copy !== undefined;
        if (ok) writeFileSync(params[0]!, copy);
        res.writeHead(ok ? 200 : 500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            ok
              ? { result: null, error: null, id }
              : { result: null, error: { code: -4, message: 'Error: Wallet backup failed!' }, id },
          ),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    return { port, close: () => new Promise((r) => server.close(() => r())) };
  }

  function ltcOn(port: number): void {
    const yaml = readFileSync(join(home, 'platform/dokomodo.yaml'), 'utf8').replace(
      'LTC: { coin: LTC, backup: { wallet: true } }',
      `LTC: { coin: LTC, backup: { wallet: true }, ports: { rpc: ${port}, override: true } }`,
    );
    writeFileSync(join(home, 'platform/dokomodo.yaml'), yaml);
    put('.litecoin/litecoind.pid', String(process.pid), 0o600);
  }

  it('copies the wallet through backupwallet while the daemon runs; restore refuses to replace it under the daemon', async () => {
    const copy = randomBytes(2048);
    const d = await fakeDaemon(copy);
    try {
      ltcOn(d.port);
      const r = await makeBackup();
      expect(r.notes).toEqual([]);
      const opened = await openBackup(r.file, key);
      const w = opened.entries.find((e) => e.meta.name === 'wallet/LTC/wallet.dat')!;
      expect(Buffer.from(w.data).equals(copy)).toBe(true);
      expect(w.meta.mode).toBe(0o600);
      // the wallet on disk differs from the daemon's copy, and its daemon runs
      expect(await codeOf(restoreBackup(r.file, { key, force: true, writeFile: writeFileAtomic }))).toBe(
        'restore-daemon-running',
      );
      rmSync(join(home, '.litecoin/litecoind.pid'));
      const items = await restoreBackup(r.file, { key, force: true, writeFile: writeFileAtomic });
      expect(items.find((i) => i.meta.kind === 'wallet')!.action).toBe('replace');
      expect(readFileSync(join(home, '.litecoin/wallet.dat')).equals(copy)).toBe(true);
    } finally {
      await d.close();
    }
  });

  it('when backupwallet fails, takes the file as it lies and says so', async () => {
    const d = await fakeDaemon(undefined);
    try {
      ltcOn(d.port);
      const onDisk = readFileSync(join(home, '.litecoin/wallet.dat'));
      const r = await makeBackup();
      expect(r.notes).toEqual([
        { name: 'wallet/LTC/wallet.dat', message: expect.stringContaining('backupwallet failed') },
      ]);
      const w = (await openBackup(r.file, key)).entries.find((e) => e.meta.name === 'wallet/LTC/wallet.dat')!;
      expect(Buffer.from(w.data).equals(onDisk)).toBe(true);
    } finally {
      await d.close();
    }
  });
});

describe('headers', () => {
  it('a forged header asking scrypt for too much memory is refused before any work', async () => {
    const r = await makeBackup();
    const [magic, json, , ...rest] = readFileSync(r.file, 'latin1').split('\n');
    const h = JSON.parse(json!);
    h.kdf = { ...h.kdf, logN: 20, r: 16 };
    const forged = JSON.stringify(h);
    const sum = createHash('sha256').update(forged).digest('hex');
    const bad = join(outDir, 'forged.backup');
    writeFileSync(bad, Buffer.from([magic, forged, `sha256 ${sum}`, rest.join('\n')].join('\n'), 'latin1'));
    expect(await codeOf(openBackup(bad, key))).toBe('backup-corrupt');
    h.kdf = { ...h.kdf, logN: 12, r: 8 };
    const other = JSON.stringify(h);
    writeFileSync(
      bad,
      Buffer.from(
        [magic, other, `sha256 ${createHash('sha256').update(other).digest('hex')}`, rest.join('\n')].join(
          '\n',
        ),
        'latin1',
      ),
    );
    // honest-looking parameters, another key: the check tells it is not this passphrase's key
    expect(await codeOf(openBackup(bad, key))).toBe('backup-wrong-key');
  });

  it('an env secret is not in any file: the backup says to keep it', async () => {
    const yaml = readFileSync(join(home, 'platform/dokomodo.yaml'), 'utf8').replace(
      'secret: { file: secret.key }',
      'secret: { env: DOKOMODO_SECRET }',
    );
    writeFileSync(join(home, 'platform/dokomodo.yaml'), yaml);
    const r = await makeBackup();
    expect(r.entries.some((e) => e.kind === 'secret')).toBe(false);
    expect(r.notes).toEqual([{ name: 'secret', message: expect.stringContaining('$DOKOMODO_SECRET') }]);
  });
});

describe('wallets of another host', () => {
  const farWallet = () => join(remote, '.bitcoin/wallet.dat');
  beforeEach(() => {
    rmSync(join(remote, '.bitcoin'), { recursive: true, force: true });
    mkdirSync(join(remote, '.bitcoin'), { recursive: true });
    writeFileSync(farWallet(), randomBytes(5000));
    chmodSync(farWallet(), 0o640);
  });

  it('come over the host’s shell; restore leaves them to that host, --extract writes them out', async () => {
    const r = await makeBackup(key, { fleet: true });
    expect(r.skipped).toEqual([]);
    const entry = r.entries.find((e) => e.name === 'wallet/BTC/wallet.dat')!;
    expect(entry).toMatchObject({ host: 'far', path: '~/.bitcoin/wallet.dat', mode: 0o640, size: 5000 });
    const w = (await openBackup(r.file, key)).entries.find((e) => e.meta.name === 'wallet/BTC/wallet.dat')!;
    expect(Buffer.from(w.data).equals(readFileSync(farWallet()))).toBe(true);

    wipeHome();
    const items = await restoreBackup(r.file, { key, writeFile: writeFileAtomic });
    expect(items.find((i) => i.meta.name === 'wallet/BTC/wallet.dat')).toMatchObject({
      action: 'elsewhere',
      target: 'far:~/.bitcoin/wallet.dat',
    });
    expect(existsSync(join(home, '.bitcoin'))).toBe(false);
    expect([...snapshot(home).keys()].sort()).toEqual(BACKED_UP);

    const dir = join(outDir, `extract-${randomBytes(3).toString('hex')}`);
    const out = await restoreBackup(r.file, { key, extract: dir, writeFile: writeFileAtomic });
    expect(out.every((i) => i.action === 'create')).toBe(true);
    const got = snapshot(dir);
    expect([...got.keys()].sort()).toEqual(r.entries.map((e) => e.name).sort());
    expect(got.get('wallet/BTC/wallet.dat')).toEqual({
      bytes: readFileSync(farWallet()).toString('hex'),
      mode: 0o640,
    });
  });

  it('a running daemon there copies its wallet through backupwallet; a missing wallet is skipped with the reason', async () => {
    const copy = randomBytes(1500);
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const { params, id } = JSON.parse(body) as { params: string[]; id: unknown };
        writeFileSync(params[0]!, copy);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ result: null, error: null, id }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as { port: number }).port;
      const yaml = readFileSync(join(home, 'platform/dokomodo.yaml'), 'utf8').replace(
        'BTC: { coin: BTC, host: far, backup: { wallet: true } }',
        `BTC: { coin: BTC, host: far, backup: { wallet: true }, ports: { rpc: ${port}, override: true } }`,
      );
      writeFileSync(join(home, 'platform/dokomodo.yaml'), yaml);
      writeFileSync(join(remote, '.bitcoin/bitcoind.pid'), String(process.pid));
      const r = await makeBackup(key, { fleet: true });
      expect(r.notes).toEqual([]);
      const w = (await openBackup(r.file, key)).entries.find((e) => e.meta.name === 'wallet/BTC/wallet.dat')!;
      expect(Buffer.from(w.data).equals(copy)).toBe(true);
      // the temporary directory on the host is gone
      expect(
        readdirSync(tmpdir()).filter((n) => /^tmp\./.test(n) && existsSync(join(tmpdir(), n, 'wallet.dat'))),
      ).toEqual([]);

      rmSync(farWallet());
      const again = await makeBackup(key, { fleet: true });
      expect(again.skipped).toEqual([
        { name: 'wallet/BTC/wallet.dat', reason: expect.stringContaining('no such file') },
      ]);
    } finally {
      await new Promise((r) => server.close(() => r(undefined)));
    }
  });
});
