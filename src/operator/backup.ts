/**
 * `dokomodo backup` / `restore`: one encrypted file holding what the platform file and the wallet
 * passphrase cannot rebuild — the UTXO journals, Iguana's bootstrap states, the monitor's alert
 * state, the platform file itself with the elected files and the secret file it names, and the
 * wallet.dat of chains marked `backup: { wallet: true }`.
 *
 * The file (format `dokomodo-backup` 1):
 *
 *     dokomodo-backup 1\n
 *     {"cipher":…,"created":…,"dokomodo":…,"kdf":{…},"nonce":…,"check":…,"size":N}\n
 *     sha256 <hex of the line above>\n
 *     <N bytes: XChaCha20-Poly1305 ciphertext and tag; the three lines above are its associated data>
 *
 * The plaintext is a JSON manifest line (every entry's name, restore path, mode, size, sha256)
 * followed by the entries' bytes. The key comes from scrypt over the passphrase with a random salt,
 * or from HKDF-SHA256 over a backup key file; 64 bytes are derived, the first 32 encrypt, the hash
 * of the other 32 (`check`) tells a wrong key from a corrupted file before anything is decrypted.
 * The header's own sha256 line tells a damaged header from a wrong key. Nothing of the entries —
 * not their names, not their count — is outside the ciphertext.
 *
 * Restore decrypts and checks everything before it writes anything; each file is then written
 * atomically with its original mode.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, rmSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { DokomodoError, ExitCode } from '../core/errors.ts';
import { readRegularFile } from '../core/host.ts';
import { expandUserPath, pidAlive } from '../core/local.ts';
import type { ChainModel, HostModel } from '../platform/model.ts';
import { localChain } from './daemon/local.ts';
import { remoteChain, remotePid } from './daemon/remote.ts';
import type { HostShell } from './remote/shell.ts';
import type { Runtime } from './runtime.ts';
import { DEFAULT_JOURNAL_DIR } from './utxo.ts';

export const BACKUP_FORMAT = 'dokomodo-backup';
export const BACKUP_VERSION = 1;
export const DEFAULT_BACKUP_DIR = '~/.dokomodo/backups';
/** The largest entry (a wallet.dat) and the largest backup file dokomodo reads. */
export const MAX_ENTRY_BYTES = 1024 * 1024 * 1024;
export const MAX_BACKUP_BYTES = 2 * MAX_ENTRY_BYTES;
const MAX_HEADER_BYTES = 64 * 1024;
const MAX_ENTRIES = 100_000;
const MAGIC = `${BACKUP_FORMAT} ${BACKUP_VERSION}\n`;
/** scrypt's cost: 2^17 × 8 × 128 B = 128 MiB and about a second; a header may ask for at most 2^20. */
export const DEFAULT_SCRYPT = { logN: 17, r: 8, p: 1 } as const;
const SCRYPT_BOUNDS = { logN: [10, 20], r: [1, 16], p: [1, 4] } as const;
/** scrypt takes 128 × r × N bytes; a header asking for more than this is refused, not obeyed. */
const SCRYPT_MAX_MEMORY = 512 * 1024 * 1024;

/** What the platform file and the passphrase rebuild alone, and what only a backup brings back. */
export const RECOVERED_WITHOUT_BACKUP: readonly string[] = [
  'the notary keys, WIFs and addresses of every chain (from the passphrase)',
  'every chain conf with its RPC credentials (derived from the platform secret)',
  'Iguana payloads, elected lists of built-in seasons, bootstrap plans, systemd units, compose/Kubernetes/Ansible files, monitoring configuration (dokomodo render)',
  'the chains’ block data (synced again, or from a snapshot)',
];
export const ONLY_IN_BACKUP: readonly string[] = [
  'the UTXO journals (signed transactions of an interrupted split or consolidation)',
  'Iguana bootstrap states and the monitor’s alert state',
  'the platform file itself, the elected files and the secret file it names',
  'wallet.dat of chains marked `backup: { wallet: true }` (funds the passphrase cannot derive)',
];

export type EntryKind = 'platform' | 'notaries' | 'secret' | 'state' | 'journal' | 'wallet';

export interface EntryMeta {
  /** A readable name: `platform/dokomodo.yaml`, `journal/KMD.journal.json`, `wallet/LTC/wallet.dat`. */
  name: string;
  kind: EntryKind;
  /** Where restore writes it: `~/…` under the home directory, else absolute. */
  path: string;
  /** The platform host it came from when that is not this machine (its `path` is on that host). */
  host?: string;
  mode: number;
  size: number;
  sha256: string;
}

export type KdfHeader =
  | { name: 'scrypt'; logN: number; r: number; p: number; salt: string }
  | { name: 'hkdf-sha256'; salt: string };

export interface BackupHeader {
  cipher: 'xchacha20poly1305';
  created: string;
  dokomodo: string;
  kdf: KdfHeader;
  nonce: string;
  /** Hex sha256 of the second half of the derived key: tells a wrong key from a damaged file. */
  check: string;
  /** Bytes of ciphertext (tag included) after the header. */
  size: number;
}

/** The key of a backup: the wallet passphrase, or the bytes of a backup key file. */
export type BackupKey = { passphrase: string } | { keyFile: string };

export type BackupEvent =
  | { type: 'entry'; entry: EntryMeta }
  | { type: 'skipped'; name: string; reason: string }
  | { type: 'note'; name: string; message: string };

export interface BackupOptions {
  key: BackupKey;
  /** The backup file; default a UTC-stamped name in `dir`. Never replaced. */
  out?: string;
  /** Default DEFAULT_BACKUP_DIR. */
  dir?: string;
  /** Where the UTXO journals are (`utxo split --journal-dir`); default DEFAULT_JOURNAL_DIR. */
  journalDir?: string;
  /** The data directory given to `start --datadir`, for wallet files. */
  datadir?: string;
  /** The dokomodo version written in the header. */
  version: string;
  /** scrypt's cost (tests use a cheap one); default DEFAULT_SCRYPT. */
  scrypt?: { logN: number; r: number; p: number };
  onEvent?: (e: BackupEvent) => void;
}

export interface BackupResult {
  file: string;
  bytes: number;
  created: string;
  entries: EntryMeta[];
  skipped: { name: string; reason: string }[];
  notes: { name: string; message: string }[];
}

interface Collected {
  meta: EntryMeta;
  data: Uint8Array;
}

/** Adds an entry; `on` for a file of another host (its path there, `~/…` in that host's home). */
type AddEntry = (
  name: string,
  kind: EntryKind,
  file: string,
  data: Uint8Array,
  mode: number,
  on?: { host: string; path: string },
) => void;

/** `~/…` for a path under the home directory (so a restore on a new machine lands in its home). */
export function homePath(abs: string): string {
  const home = expandUserPath('~');
  if (abs === home) return '~';
  return abs.startsWith(`${home}/`) ? `~/${abs.slice(home.length + 1)}` : abs;
}

function readEntry(file: string): { data: Uint8Array; mode: number } | { reason: string } {
  const got = readRegularFile(file, MAX_ENTRY_BYTES);
  if (!('bytes' in got)) return { reason: `${file} ${got.reason}` };
  return { data: got.bytes, mode: lstatSync(file).mode & 0o7777 };
}

// ---- backup -----------------------------------------------------------------------------------

/** Collects every entry, encrypts them into one file (atomically, 0600, never replacing one). */
export async function createBackup(rt: Runtime, opts: BackupOptions): Promise<BackupResult> {
  const emit = opts.onEvent ?? (() => {});
  const entries: Collected[] = [];
  const skipped: BackupResult['skipped'] = [];
  const notes: BackupResult['notes'] = [];
  const seen = new Set<string>();
  const add: AddEntry = (name, kind, file, data, mode, on) => {
    const path = on ? on.path : homePath(file);
    const id = `${on?.host ?? ''}:${path}`;
    if (seen.has(id)) return;
    seen.add(id);
    const meta: EntryMeta = {
      name,
      kind,
      path,
      ...(on ? { host: on.host } : {}),
      mode,
      size: data.length,
      sha256: bytesToHex(sha256(data)),
    };
    entries.push({ meta, data });
    emit({ type: 'entry', entry: meta });
  };
  const skip = (name: string, reason: string) => {
    skipped.push({ name, reason });
    emit({ type: 'skipped', name, reason });
  };
  const note = (name: string, message: string) => {
    notes.push({ name, message });
    emit({ type: 'note', name, message });
  };
  const required = (name: string, kind: EntryKind, file: string) => {
    const got = readEntry(file);
    if ('reason' in got) {
      throw new DokomodoError('backup-unreadable', `${name}: ${got.reason}`, {
        hint: 'nothing was written; fix the file (or its permissions) and run backup again',
      });
    }
    add(name, kind, file, got.data, got.mode);
  };

  const { platform } = rt;
  const platformFile = resolve(rt.host.cwd(), platform.file);
  const platformDir = dirname(platformFile);
  required(`platform/${basename(platformFile)}`, 'platform', platformFile);
  for (const list of platform.notaries) {
    if (list.file === undefined) continue;
    const f = isAbsolute(list.file) ? list.file : resolve(platformDir, list.file);
    required(`notaries/${list.name}/${basename(f)}`, 'notaries', f);
  }
  if ('file' in platform.secret) {
    const f = isAbsolute(platform.secret.file)
      ? platform.secret.file
      : resolve(platformDir, platform.secret.file);
    required(`secret/${basename(f)}`, 'secret', f);
  } else {
    note('secret', `the platform secret comes from $${platform.secret.env}, not a file: keep it yourself`);
  }

  // The state documents: Iguana's bootstrap states and the monitor's alert and log states.
  const stateKeys = [
    ...rt.state.list('iguana').filter((k) => basename(k) === 'state.json'),
    ...rt.state.list('monitor').filter((k) => k.endsWith('.json') && !basename(k).startsWith('.')),
  ];
  for (const key of stateKeys) {
    const f = rt.state.where(key);
    if (!isAbsolute(f)) {
      skip(`state/${key}`, `kept in ${f}, not in a file`);
      continue;
    }
    const got = readEntry(f);
    if ('reason' in got) skip(`state/${key}`, got.reason);
    else add(`state/${key}`, 'state', f, got.data, got.mode);
  }

  const journalDir = expandUserPath(opts.journalDir ?? DEFAULT_JOURNAL_DIR);
  for (const name of listDir(journalDir).filter((n) => n.endsWith('.journal.json'))) {
    const f = join(journalDir, name);
    const got = readEntry(f);
    if ('reason' in got) skip(`journal/${name}`, got.reason);
    else add(`journal/${name}`, 'journal', f, got.data, got.mode);
  }

  for (const chain of platform.chains.filter((c) => c.backup.wallet))
    await addWallet(rt, chain, opts, { add, skip, note });

  const created = new Date(rt.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const bytes = await sealBackup(
    entries.map((e) => e.meta),
    entries.map((e) => e.data),
    opts.key,
    { created, version: opts.version, scrypt: opts.scrypt ?? DEFAULT_SCRYPT },
  );
  const file = writeNew(rt, opts, created, bytes);
  return { file, bytes: bytes.length, created, entries: entries.map((e) => e.meta), skipped, notes };
}

/**
 * A wallet: through the daemon's `backupwallet` when it runs (a consistent copy of an open
 * Berkeley DB), else the file as it lies; a wallet of another host over that host's shell.
 */
async function addWallet(
  rt: Runtime,
  chain: ChainModel,
  opts: BackupOptions,
  sink: WalletSink,
): Promise<void> {
  const name = `wallet/${chain.name}/wallet.dat`;
  const host = rt.hostOf(chain.host);
  if (host && !host.local) {
    await addRemoteWallet(rt, chain, host, sink);
    return;
  }
  const lc = localChain(chain, opts.datadir !== undefined ? { datadir: opts.datadir } : {});
  const file = join(lc.datadir, 'wallet.dat');
  const got = readEntry(file);
  if ('reason' in got) {
    sink.skip(name, got.reason);
    return;
  }
  let data = got.data;
  if (daemonRunning(lc.pidFile)) {
    const copy = await walletThroughDaemon(rt, chain);
    if ('data' in copy) data = copy.data;
    else
      sink.note(name, `the daemon runs and backupwallet failed (${copy.reason}): copied the file as it lies`);
  }
  sink.add(name, 'wallet', file, data, got.mode);
}

/** The pid of a live daemon whose pid file (`*.pid`) is in this data directory. */
function runningDaemon(dir: string): number | undefined {
  for (const name of listDir(dir).filter((n) => n.endsWith('.pid'))) {
    const got = readRegularFile(join(dir, name), 64);
    if (!('bytes' in got)) continue;
    const pid = Number.parseInt(Buffer.from(got.bytes).toString('utf8'), 10);
    if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) return pid;
  }
  return undefined;
}

interface WalletSink {
  add: AddEntry;
  skip: (name: string, reason: string) => void;
  note: (name: string, message: string) => void;
}

/** The largest wallet read from another host (it crosses SSH as base64 text). */
export const MAX_REMOTE_WALLET_BYTES = 256 * 1024 * 1024;

/**
 * A wallet on another host, over its shell (the one SSH connection): mode and size first, then
 * the bytes as base64 with their sha256 computed there — through the daemon's `backupwallet`
 * into a private temporary directory there when the daemon runs. A host that cannot be reached,
 * or a wallet that is missing or too large, is skipped with the reason.
 */
async function addRemoteWallet(
  rt: Runtime,
  chain: ChainModel,
  host: HostModel,
  sink: WalletSink,
): Promise<void> {
  const name = `wallet/${chain.name}/wallet.dat`;
  const rc = remoteChain(chain, host);
  const file = `${rc.datadir}/wallet.dat`;
  const on = { host: host.name, path: `${chain.datadir}/wallet.dat` };
  try {
    const shell = rt.shell(host);
    const st = await shell.run([
      'sh',
      '-c',
      '[ -f "$1" ] || { echo "no such file" >&2; exit 3; }; stat -c "%a %s" "$1"',
      'sh',
      file,
    ]);
    if (st.code !== 0) {
      sink.skip(name, `${host.name}:${file}: ${st.stderr.trim().split('\n').at(-1) || `exit ${st.code}`}`);
      return;
    }
    const [modeText, sizeText] = st.stdout.trim().split(' ');
    const mode = Number.parseInt(modeText ?? '', 8);
    const size = Number.parseInt(sizeText ?? '', 10);
    if (!Number.isInteger(mode) || !Number.isInteger(size)) {
      sink.skip(name, `${host.name}:${file}: stat said ${JSON.stringify(st.stdout.trim())}`);
      return;
    }
    if (size > MAX_REMOTE_WALLET_BYTES) {
      sink.skip(
        name,
        `${host.name}:${file} is ${size} bytes, more than dokomodo copies over SSH; back it up on ${host.name}`,
      );
      return;
    }
    let data: Uint8Array | undefined;
    if ((await remotePid(shell, rc)) !== undefined) {
      const copy = await remoteWalletThroughDaemon(rt, shell, chain);
      if ('data' in copy) data = copy.data;
      else
        sink.note(
          name,
          `the daemon runs and backupwallet failed (${copy.reason}): copied the file as it lies`,
        );
    }
    if (data === undefined) {
      const got = await readRemoteFile(shell, file);
      if ('reason' in got) {
        sink.skip(name, `${host.name}:${file}: ${got.reason}`);
        return;
      }
      data = got.data;
    }
    sink.add(name, 'wallet', file, data, mode, on);
  } catch (e) {
    if (!(e instanceof DokomodoError)) throw e;
    sink.skip(name, `on host ${host.name}: ${e.message}`);
  }
}

/** A file of another host: its sha256 computed there, its bytes as base64; checked here. */
async function readRemoteFile(
  shell: HostShell,
  file: string,
): Promise<{ data: Uint8Array } | { reason: string }> {
  const r = await shell.run(['sh', '-c', 'sha256sum < "$1" | cut -c1-64 && base64 -w0 < "$1"', 'sh', file], {
    timeoutMs: 600_000,
  });
  if (r.code !== 0) return { reason: r.stderr.trim().split('\n').at(-1) || `exit ${r.code}` };
  const nl = r.stdout.indexOf('\n');
  const sum = r.stdout.slice(0, nl);
  const data = new Uint8Array(Buffer.from(r.stdout.slice(nl + 1).trim(), 'base64'));
  if (bytesToHex(sha256(data)) !== sum) return { reason: 'the copy does not match its sha256 on the host' };
  return { data };
}

async function remoteWalletThroughDaemon(
  rt: Runtime,
  shell: HostShell,
  chain: ChainModel,
): Promise<{ data: Uint8Array } | { reason: string }> {
  const made = await shell.run(['mktemp', '-d']);
  const dir = made.stdout.trim();
  if (made.code !== 0 || !dir.startsWith('/'))
    return { reason: `mktemp -d: ${made.stderr.trim() || `exit ${made.code}`}` };
  try {
    await rt.prepare({ chains: [chain] });
    const client = rt.clients.chain(chain, { timeoutMs: 120_000 });
    try {
      await client.call('backupwallet', [`${dir}/wallet.dat`]);
    } finally {
      await client.close().catch(() => undefined);
    }
    return await readRemoteFile(shell, `${dir}/wallet.dat`);
  } catch (e) {
    return { reason: e instanceof Error ? e.message : String(e) };
  } finally {
    await shell.run(['rm', '-rf', dir]).catch(() => undefined);
  }
}

function daemonRunning(pidFile: string): boolean {
  const got = readRegularFile(pidFile, 64);
  if (!('bytes' in got)) return false;
  const pid = Number.parseInt(Buffer.from(got.bytes).toString('utf8'), 10);
  return Number.isInteger(pid) && pid > 0 && pidAlive(pid);
}

async function walletThroughDaemon(
  rt: Runtime,
  chain: ChainModel,
): Promise<{ data: Uint8Array } | { reason: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'dokomodo-wallet-'));
  const client = rt.clients.chain(chain, { timeoutMs: 120_000 });
  try {
    const target = join(dir, 'wallet.dat');
    await client.call('backupwallet', [target]);
    const got = readRegularFile(target, MAX_ENTRY_BYTES);
    return 'bytes' in got ? { data: got.bytes } : { reason: `its copy ${got.reason}` };
  } catch (e) {
    return { reason: e instanceof Error ? e.message : String(e) };
  } finally {
    await client.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort().slice(0, MAX_ENTRIES);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw e;
  }
}

/** Writes the backup under a name that exists nowhere yet (link, not rename: nothing is replaced). */
function writeNew(rt: Runtime, opts: BackupOptions, created: string, bytes: Uint8Array): string {
  const tryWrite = (file: string): boolean => {
    try {
      rt.writeFile(file, bytes, { mode: 0o600, dirMode: 0o700, replace: false });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new DokomodoError('backup-unwritable', `cannot write ${file}: ${(e as Error).message}`, {
        hint: 'choose another --out, or check the directory and its permissions',
      });
    }
  };
  if (opts.out !== undefined) {
    const file = resolve(rt.host.cwd(), expandUserPath(opts.out));
    if (!tryWrite(file))
      throw new DokomodoError('backup-exists', `${file} exists already`, {
        hint: 'a backup is never replaced: choose another --out, or move the old one away',
      });
    return file;
  }
  const dir = expandUserPath(opts.dir ?? DEFAULT_BACKUP_DIR);
  const stamp = created.replace(/[-:]/g, '');
  for (let n = 1; n <= 100; n++) {
    const file = join(dir, `dokomodo-${stamp}${n === 1 ? '' : `-${n}`}.backup`);
    if (tryWrite(file)) return file;
  }
  throw new DokomodoError('backup-exists', `100 backups named dokomodo-${stamp}… exist already in ${dir}`);
}

// ---- the file format --------------------------------------------------------------------------

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const utf8 = (s: string) => new TextEncoder().encode(s);

/** The key file's bytes (a trailing newline is not part of the key). At least 32 bytes, not readable by others. */
function keyFileBytes(path: string): Uint8Array {
  const file = expandUserPath(path);
  const got = readRegularFile(file, 64 * 1024);
  if (!('bytes' in got)) {
    throw new DokomodoError('backup-key-unreadable', `backup key file ${file} ${got.reason}`, {
      hint: 'create one with: head -c 32 /dev/urandom > FILE && chmod 600 FILE',
      exitCode: ExitCode.usage,
    });
  }
  const mode = lstatSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new DokomodoError(
      'backup-key-unreadable',
      `backup key file ${file} is readable by others (mode ${mode.toString(8)})`,
      { hint: `chmod 600 ${file}`, exitCode: ExitCode.usage },
    );
  }
  let bytes = got.bytes;
  if (bytes.at(-1) === 0x0a) bytes = bytes.subarray(0, bytes.at(-2) === 0x0d ? -2 : -1);
  if (bytes.length < 32) {
    throw new DokomodoError(
      'backup-key-unreadable',
      `backup key file ${file} holds ${bytes.length} bytes, fewer than 32`,
      {
        hint: 'create one with: head -c 32 /dev/urandom > FILE && chmod 600 FILE',
        exitCode: ExitCode.usage,
      },
    );
  }
  return bytes;
}

/** 64 bytes from the key: the cipher key, then the check's half. */
async function deriveKey(key: BackupKey, kdf: KdfHeader): Promise<{ enc: Uint8Array; check: string }> {
  const salt = unb64(kdf.salt);
  let dk: Uint8Array;
  if (kdf.name === 'scrypt') {
    if (!('passphrase' in key))
      throw wrongKey('this backup is encrypted with the wallet passphrase, not a key file');
    dk = await scryptAsync(utf8(key.passphrase), salt, { N: 2 ** kdf.logN, r: kdf.r, p: kdf.p, dkLen: 64 });
  } else {
    if (!('keyFile' in key))
      throw wrongKey('this backup is encrypted with a backup key file, not the passphrase');
    dk = hkdf(sha256, keyFileBytes(key.keyFile), salt, utf8('dokomodo-backup/1'), 64);
  }
  return { enc: dk.slice(0, 32), check: bytesToHex(sha256(dk.subarray(32))) };
}

function wrongKey(why: string): DokomodoError {
  return new DokomodoError('backup-wrong-key', why, {
    hint: 'give the passphrase (--passphrase-stdin, DOKOMODO_PASSPHRASE or the prompt) or the --key-file the backup was made with; nothing was restored',
  });
}

export async function sealBackup(
  metas: EntryMeta[],
  blobs: Uint8Array[],
  key: BackupKey,
  opts: { created: string; version: string; scrypt: { logN: number; r: number; p: number } },
): Promise<Uint8Array> {
  const salt = b64(randomBytes(16));
  const kdf: KdfHeader =
    'passphrase' in key ? { name: 'scrypt', ...opts.scrypt, salt } : { name: 'hkdf-sha256', salt };
  if (kdf.name === 'scrypt') checkScrypt(kdf, 'backup');
  const { enc, check } = await deriveKey(key, kdf);
  const manifest = utf8(`${JSON.stringify({ entries: metas })}\n`);
  const plain = new Uint8Array(manifest.length + blobs.reduce((n, b) => n + b.length, 0));
  plain.set(manifest, 0);
  let off = manifest.length;
  for (const b of blobs) {
    plain.set(b, off);
    off += b.length;
  }
  const nonce = randomBytes(24);
  const header: BackupHeader = {
    cipher: 'xchacha20poly1305',
    created: opts.created,
    dokomodo: opts.version,
    kdf,
    nonce: b64(nonce),
    check,
    size: plain.length + 16,
  };
  const line = JSON.stringify(header);
  const head = utf8(`${MAGIC}${line}\nsha256 ${bytesToHex(sha256(utf8(line)))}\n`);
  // Encrypted straight into the file's bytes: one copy of a large wallet fewer.
  const out = new Uint8Array(head.length + plain.length + 16);
  out.set(head, 0);
  xchacha20poly1305(enc, nonce, head).encrypt(plain, out.subarray(head.length));
  return out;
}

function corrupt(file: string, why: string): DokomodoError {
  return new DokomodoError('backup-corrupt', `${file}: ${why}`, {
    hint: 'the file is damaged or not a dokomodo backup; use another copy (nothing was restored)',
  });
}

function truncated(file: string, why: string): DokomodoError {
  return new DokomodoError('backup-truncated', `${file}: ${why}`, {
    hint: 'the file was cut short (an interrupted copy?); use a complete copy (nothing was restored)',
  });
}

function checkScrypt(k: { logN: number; r: number; p: number }, file: string): void {
  for (const [p, [lo, hi]] of Object.entries(SCRYPT_BOUNDS)) {
    const v = k[p as keyof typeof SCRYPT_BOUNDS];
    if (!Number.isInteger(v) || v < lo || v > hi)
      throw corrupt(file, `scrypt parameter ${p}=${String(v)} is outside ${lo}–${hi}`);
  }
  if (128 * k.r * 2 ** k.logN > SCRYPT_MAX_MEMORY)
    throw corrupt(file, `scrypt parameters ask for more than ${SCRYPT_MAX_MEMORY / 2 ** 20} MiB`);
}

/** The header of a backup, checked (its own sha256, every field); no key needed. */
export function parseHeader(
  bytes: Uint8Array,
  file: string,
): { header: BackupHeader; head: Uint8Array; body: Uint8Array } {
  const magic = utf8(MAGIC);
  const prefix = bytes.subarray(0, magic.length);
  if (!Buffer.from(prefix).equals(Buffer.from(magic.subarray(0, prefix.length))))
    throw corrupt(
      file,
      `does not start with "${MAGIC.trim()}": not a dokomodo backup (or of another version)`,
    );
  if (bytes.length < magic.length)
    throw truncated(file, `ends after ${bytes.length} bytes, inside the header`);
  // The header is printable ASCII: a file that ends inside it is truncated only when every byte
  // up to its end could still be header; any other byte there is damage.
  const lineEnd = (from: number): number => {
    const limit = Math.min(bytes.length, from + MAX_HEADER_BYTES);
    for (let i = from; i < limit; i++) {
      const c = bytes[i]!;
      if (c === 0x0a) return i;
      if (c < 0x20 || c > 0x7e) throw corrupt(file, `byte ${i} of the header is not header text`);
    }
    if (limit === bytes.length) throw truncated(file, `ends after ${bytes.length} bytes, inside the header`);
    throw corrupt(file, 'the header has no end');
  };
  const jsonEnd = lineEnd(magic.length);
  const sumEnd = lineEnd(jsonEnd + 1);
  const json = bytes.subarray(magic.length, jsonEnd);
  const sumLine = Buffer.from(bytes.subarray(jsonEnd + 1, sumEnd)).toString('latin1');
  if (sumLine !== `sha256 ${bytesToHex(sha256(json))}`)
    throw corrupt(file, 'the header does not match its sha256');
  let h: Partial<BackupHeader>;
  try {
    h = JSON.parse(Buffer.from(json).toString('utf8')) as Partial<BackupHeader>;
  } catch {
    throw corrupt(file, 'the header is not JSON');
  }
  const str = (v: unknown) => typeof v === 'string' && v.length > 0;
  const k = h.kdf as Partial<KdfHeader> | undefined;
  if (
    !h ||
    typeof h !== 'object' ||
    h.cipher !== 'xchacha20poly1305' ||
    !str(h.created) ||
    typeof h.dokomodo !== 'string' ||
    !str(h.nonce) ||
    unb64(h.nonce!).length !== 24 ||
    !str(h.check) ||
    !Number.isSafeInteger(h.size) ||
    (h.size as number) < 16 ||
    !k ||
    !str(k.salt) ||
    (k.name !== 'scrypt' && k.name !== 'hkdf-sha256')
  )
    throw corrupt(file, 'the header lacks a field or has one of the wrong kind');
  if (k.name === 'scrypt') checkScrypt(k as { logN: number; r: number; p: number }, file);
  const header = h as BackupHeader;
  const body = bytes.subarray(sumEnd + 1);
  if (body.length < header.size)
    throw truncated(
      file,
      `holds ${body.length} of the ${header.size} bytes of ciphertext the header announces`,
    );
  if (body.length > header.size)
    throw corrupt(file, `has ${body.length - header.size} bytes after the ciphertext the header announces`);
  return { header, head: bytes.subarray(0, sumEnd + 1), body };
}

export interface OpenedBackup {
  file: string;
  header: BackupHeader;
  entries: { meta: EntryMeta; data: Uint8Array }[];
}

/** Decrypts a backup and checks every entry; throws backup-wrong-key, -corrupt or -truncated. */
export async function openBackup(file: string, key: BackupKey): Promise<OpenedBackup> {
  const bytes = readBackupFile(file);
  const { header, head, body } = parseHeader(bytes, file);
  const { enc, check } = await deriveKey(key, header.kdf);
  const a = Buffer.from(check);
  const b = Buffer.from(header.check);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    throw wrongKey(
      `${file}: the ${'passphrase' in key ? 'passphrase' : 'key file'} does not open this backup`,
    );
  let plain: Uint8Array;
  try {
    plain = xchacha20poly1305(enc, unb64(header.nonce), head).decrypt(body);
  } catch {
    throw corrupt(file, 'the ciphertext does not authenticate (a damaged byte)');
  }
  const nl = plain.indexOf(0x0a);
  let entries: EntryMeta[];
  try {
    entries = (JSON.parse(Buffer.from(plain.subarray(0, nl)).toString('utf8')) as { entries: EntryMeta[] })
      .entries;
    if (!Array.isArray(entries) || entries.length > MAX_ENTRIES) throw new Error('entries');
  } catch {
    throw corrupt(file, 'the manifest inside is not readable');
  }
  let off = nl + 1;
  const out: OpenedBackup['entries'] = [];
  for (const meta of entries) {
    if (
      !meta ||
      typeof meta.name !== 'string' ||
      typeof meta.path !== 'string' ||
      !safePath(meta.path) ||
      !safeName(meta.name) ||
      (meta.host !== undefined && typeof meta.host !== 'string') ||
      !Number.isSafeInteger(meta.size) ||
      meta.size < 0 ||
      !Number.isInteger(meta.mode) ||
      meta.mode < 0 ||
      meta.mode > 0o7777
    )
      throw corrupt(file, `entry ${out.length + 1} of the manifest is malformed`);
    const data = plain.subarray(off, off + meta.size);
    if (data.length !== meta.size) throw corrupt(file, `${meta.name}: fewer bytes than the manifest says`);
    if (bytesToHex(sha256(data)) !== meta.sha256) throw corrupt(file, `${meta.name}: sha256 does not match`);
    out.push({ meta, data });
    off += meta.size;
  }
  if (off !== plain.length) throw corrupt(file, 'bytes after the last entry');
  return { file, header, entries: out };
}

/** `~/…` or absolute, without `..`: where an entry may be restored. */
function safePath(p: string): boolean {
  const rest = p.startsWith('~/') ? p.slice(2) : isAbsolute(p) ? p : undefined;
  return rest !== undefined && rest.length > 0 && normalize(p) === p && !p.split('/').includes('..');
}

/** An entry name: a relative path without `..`, so `restore --extract DIR` stays in DIR. */
function safeName(n: unknown): boolean {
  return (
    typeof n === 'string' &&
    n.length > 0 &&
    !isAbsolute(n) &&
    normalize(n) === n &&
    !n.split('/').includes('..') &&
    !n.includes('\0')
  );
}

function readBackupFile(file: string): Uint8Array {
  const got = readRegularFile(file, MAX_BACKUP_BYTES);
  if (!('bytes' in got)) {
    throw new DokomodoError('backup-unreadable', `${file} ${got.reason}`, {
      hint: 'name a backup file (`dokomodo backup list` shows them)',
      exitCode: ExitCode.usage,
    });
  }
  return got.bytes;
}

// ---- list, verify, restore --------------------------------------------------------------------

export interface ListedBackup {
  file: string;
  bytes: number;
  /** From the header; undefined when the header cannot be read. */
  created?: string;
  dokomodo?: string;
  key?: 'passphrase' | 'key file';
  /** Why the header is not readable (corrupt, truncated). */
  problem?: { code: string; message: string };
}

/** The backups in a directory, newest first, from their headers alone (no key needed). */
export function listBackups(dir: string = DEFAULT_BACKUP_DIR): ListedBackup[] {
  const root = expandUserPath(dir);
  const names = listDir(root).filter((n) => n.endsWith('.backup') && !n.startsWith('.'));
  const out: ListedBackup[] = [];
  for (const name of names) {
    const file = join(root, name);
    const got = readRegularFile(file, MAX_BACKUP_BYTES);
    if (!('bytes' in got)) {
      out.push({ file, bytes: 0, problem: { code: 'backup-unreadable', message: got.reason } });
      continue;
    }
    try {
      const { header } = parseHeader(got.bytes, file);
      out.push({
        file,
        bytes: got.bytes.length,
        created: header.created,
        dokomodo: header.dokomodo,
        key: header.kdf.name === 'scrypt' ? 'passphrase' : 'key file',
      });
    } catch (e) {
      if (!(e instanceof DokomodoError)) throw e;
      out.push({ file, bytes: got.bytes.length, problem: { code: e.code, message: e.message } });
    }
  }
  return out.sort((a, b) => (b.created ?? '').localeCompare(a.created ?? '') || a.file.localeCompare(b.file));
}

export interface VerifyResult {
  file: string;
  created: string;
  dokomodo: string;
  entries: EntryMeta[];
}

/** Decrypts and checks every entry's sha256; throws on the first problem. */
export async function verifyBackup(file: string, key: BackupKey): Promise<VerifyResult> {
  const b = await openBackup(file, key);
  return {
    file,
    created: b.header.created,
    dokomodo: b.header.dokomodo,
    entries: b.entries.map((e) => e.meta),
  };
}

export type RestoreAction =
  /** Nothing there: written. */
  | 'create'
  /** The same bytes and mode there already. */
  | 'unchanged'
  /** The same bytes with another mode: the mode is restored. */
  | 'mode'
  /** Different bytes there: replaced with --force (a .bak copy kept), else a conflict. */
  | 'replace'
  /** A file of another host: not written here (`extract` writes it to copy it there). */
  | 'elsewhere';

export interface RestoreItem {
  meta: EntryMeta;
  target: string;
  action: RestoreAction;
  /** With --force, where the file it replaced was kept. */
  kept?: string;
}

export interface RestoreOptions {
  key: BackupKey;
  dryRun?: boolean;
  force?: boolean;
  /** For the .bak-<time> names; default now. */
  now?: number;
  /** Write every entry as DIR/<entry name> instead of where it came from (also those of other hosts). */
  extract?: string;
  writeFile: Runtime['writeFile'];
}

/**
 * Decrypts and checks everything, plans each file, refuses (restore-conflict) when a different
 * file is in the way and there is no --force — all before the first write — then writes.
 */
export async function restoreBackup(file: string, opts: RestoreOptions): Promise<RestoreItem[]> {
  const b = await openBackup(file, opts.key);
  const items: RestoreItem[] = [];
  const data = new Map<RestoreItem, Uint8Array>();
  for (const e of b.entries) {
    if (opts.extract === undefined && e.meta.host !== undefined) {
      items.push({ meta: e.meta, target: `${e.meta.host}:${e.meta.path}`, action: 'elsewhere' });
      continue;
    }
    const target =
      opts.extract === undefined ? expandUserPath(e.meta.path) : join(resolve(opts.extract), e.meta.name);
    let action: RestoreAction = 'create';
    let st: Stats | undefined;
    try {
      st = lstatSync(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (st) {
      if (!st.isFile())
        throw new DokomodoError('restore-conflict', `${target} is in the way and is not a regular file`, {
          hint: 'move it away and restore again; nothing was restored',
        });
      const got = readRegularFile(target, MAX_ENTRY_BYTES);
      const same = 'bytes' in got && Buffer.from(got.bytes).equals(Buffer.from(e.data));
      action = !same ? 'replace' : (st.mode & 0o7777) === e.meta.mode ? 'unchanged' : 'mode';
    }
    if (e.meta.kind === 'wallet' && action !== 'unchanged' && opts.extract === undefined) {
      const pid = runningDaemon(dirname(target));
      if (pid !== undefined)
        throw new DokomodoError(
          'restore-daemon-running',
          `${target}: the daemon of that data directory runs (pid ${pid}); a wallet is not replaced under it`,
          { hint: 'stop the chain (dokomodo stop CHAIN) and restore again; nothing was restored' },
        );
    }
    const item: RestoreItem = { meta: e.meta, target, action };
    items.push(item);
    data.set(item, e.data);
  }
  const conflicts = items.filter((i) => i.action === 'replace');
  if (conflicts.length > 0 && !opts.force && !opts.dryRun) {
    const names = conflicts.map((i) => i.target);
    throw new DokomodoError(
      'restore-conflict',
      `${names.length} file${names.length === 1 ? '' : 's'} differ${names.length === 1 ? 's' : ''} from the backup: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`,
      {
        hint: 'nothing was restored; --dry-run lists them, --force replaces them and keeps each as FILE.bak-<time>',
      },
    );
  }
  if (opts.dryRun) return items;
  const stamp = new Date(opts.now ?? Date.now()).toISOString().replace(/[-:]|\.\d{3}/g, '');
  for (const item of items) {
    if (item.action === 'unchanged' || item.action === 'elsewhere') continue;
    if (item.action === 'replace') {
      const old = readRegularFile(item.target, MAX_ENTRY_BYTES);
      if (!('bytes' in old)) throw new DokomodoError('restore-conflict', `${item.target} ${old.reason}`);
      item.kept = `${item.target}.bak-${stamp}`;
      opts.writeFile(item.kept, old.bytes, { mode: lstatSync(item.target).mode & 0o7777, replace: false });
    }
    opts.writeFile(item.target, data.get(item)!, { mode: item.meta.mode });
  }
  return items;
}
