/**
 * The writer: the only code that puts compiler output on disk.
 *
 * - Plan, then apply: `planWrite` compares the artifacts with the tree and its manifest and says
 *   what would change; `applyPlan` carries it out.
 * - All or nothing: new contents go to temporary files next to their targets first; a journal
 *   listing the renames is written before the first rename; a run that dies (kill, full disk,
 *   power) leaves the old tree (no journal yet: temporaries are removed on the next run) or is
 *   rolled forward to the new tree by the next run (journal present). Never a mix.
 * - Ownership: the manifest (`.dokomodo/manifest.json`) records what dokomodo wrote, with hashes.
 *   A file dokomodo did not write, or one changed by hand since, is not overwritten or pruned
 *   without `force`; what is replaced or pruned is first copied to `.dokomodo/backup/<stamp>/`.
 * - Wallets are never touched, whatever the flags.
 */
import { makeDirs } from '../core/local.ts';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { DokomodoError } from '../core/errors.ts';
import type { Artifact } from './artifact.ts';

export const STATE_DIR = '.dokomodo';
const MANIFEST = `${STATE_DIR}/manifest.json`;
const JOURNAL = `${STATE_DIR}/journal.json`;
const TMP_SUFFIX = '.dokomodo-tmp';

export interface ManifestEntry {
  sha256: string;
  mode: number;
  target: string;
  host: string | null;
}

export interface Manifest {
  version: 1;
  /** The platform file the tree was rendered from (informational). */
  source: string;
  files: Record<string, ManifestEntry>;
}

export type ChangeKind = 'create' | 'update' | 'mode' | 'unchanged' | 'prune';

export interface Change {
  path: string;
  kind: ChangeKind;
  /** Why the change needs --force: the file was not written by dokomodo, or was edited since. */
  conflict?: 'unmanaged' | 'edited';
}

export interface WritePlan {
  root: string;
  changes: Change[];
  artifacts: Map<string, Artifact>;
  manifest: Manifest;
  /** Changes that need --force; applying refuses while there are any and force is off. */
  conflicts: Change[];
}

export interface WriteOptions {
  prune?: boolean;
  force?: boolean;
  source?: string;
  /** For tests of crash safety: called after each step; throwing simulates a crash there. */
  onStep?: (step: 'staged' | 'journal' | 'renamed', path?: string) => void;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** A path a writer may never touch: wallets and anything outside the root. */
function isForbidden(path: string): boolean {
  const base = path.split('/').pop() ?? '';
  return (
    base === 'wallet.dat' ||
    /^wallet.*\.dat$/.test(base) ||
    path.split('/').includes('..') ||
    path.startsWith('/')
  );
}

function readManifest(root: string): Manifest | undefined {
  const file = join(root, MANIFEST);
  if (!existsSync(file)) return undefined;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    if (m.version === 1 && m.files && typeof m.files === 'object') return m;
  } catch {
    // fall through: a broken manifest is treated as none, so nothing is overwritten without --force
  }
  return undefined;
}

/** Finishes or undoes an interrupted earlier write, so the tree is whole before planning. */
export function recover(root: string): 'clean' | 'rolled-forward' | 'rolled-back' {
  if (!existsSync(root)) return 'clean';
  const journalFile = join(root, JOURNAL);
  if (existsSync(journalFile)) {
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as {
      renames: string[];
      removes: string[];
      manifest: Manifest;
    };
    for (const p of journal.renames) {
      const tmp = join(root, p + TMP_SUFFIX);
      if (existsSync(tmp)) renameSync(tmp, join(root, p));
    }
    for (const p of journal.removes) rmSync(join(root, p), { force: true });
    atomicWrite(join(root, MANIFEST), `${JSON.stringify(journal.manifest, null, 2)}\n`, 0o644);
    unlinkSync(journalFile);
    return 'rolled-forward';
  }
  let removed = false;
  for (const f of walk(root)) {
    if (f.endsWith(TMP_SUFFIX)) {
      unlinkSync(join(root, f));
      removed = true;
    }
  }
  return removed ? 'rolled-back' : 'clean';
}

function* walk(root: string, dir = ''): Generator<string> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) yield* walk(root, rel);
    else yield rel;
  }
}

export function planWrite(root: string, artifacts: readonly Artifact[], opts: WriteOptions = {}): WritePlan {
  const old = readManifest(root);
  const byPath = new Map<string, Artifact>();
  const changes: Change[] = [];
  const manifest: Manifest = { version: 1, source: opts.source ?? old?.source ?? '', files: {} };
  for (const a of artifacts) {
    if (isForbidden(a.path)) throw new Error(`refusing to write ${a.path}`);
    byPath.set(a.path, a);
    const file = join(root, a.path);
    const hash = sha256(a.content);
    manifest.files[a.path] = { sha256: hash, mode: a.mode, target: a.target, host: a.host ?? null };
    if (!existsSync(file)) {
      changes.push({ path: a.path, kind: 'create' });
      continue;
    }
    const current = readFileSync(file);
    const currentHash = sha256(current);
    const mode = statSync(file).mode & 0o777;
    const known = old?.files[a.path];
    let conflict: Change['conflict'];
    if (!known) conflict = currentHash === hash ? undefined : 'unmanaged';
    else if (known.sha256 !== currentHash) conflict = currentHash === hash ? undefined : 'edited';
    const kind: ChangeKind = currentHash !== hash ? 'update' : mode !== a.mode ? 'mode' : 'unchanged';
    changes.push(conflict ? { path: a.path, kind, conflict } : { path: a.path, kind });
  }
  if (opts.prune && old) {
    for (const [path, entry] of Object.entries(old.files)) {
      if (byPath.has(path) || isForbidden(path)) continue;
      const file = join(root, path);
      if (!existsSync(file)) continue;
      const edited = sha256(readFileSync(file)) !== entry.sha256;
      changes.push(edited ? { path, kind: 'prune', conflict: 'edited' } : { path, kind: 'prune' });
    }
  } else if (old) {
    // Without --prune, files dokomodo wrote earlier stay on disk and stay in the manifest.
    for (const [path, entry] of Object.entries(old.files)) {
      if (!byPath.has(path) && existsSync(join(root, path))) manifest.files[path] = entry;
    }
  }
  changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root, changes, artifacts: byPath, manifest, conflicts: changes.filter((c) => c.conflict) };
}

export function summarize(plan: WritePlan): Record<ChangeKind, number> {
  const s: Record<ChangeKind, number> = { create: 0, update: 0, mode: 0, unchanged: 0, prune: 0 };
  for (const c of plan.changes) s[c.kind]++;
  return s;
}

export function hasChanges(plan: WritePlan): boolean {
  return plan.changes.some((c) => c.kind !== 'unchanged');
}

/** Writes `content` to `file` through a temporary file, fsync and rename. */
function atomicWrite(file: string, content: string, mode: number): void {
  makeDirs(dirname(file));
  const tmp = file + TMP_SUFFIX;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

/** Flushes the file system holding `dir` (syncfs through coreutils' `sync -f`); falls back to a full sync. */
function syncFileSystem(dir: string): void {
  const r = spawnSync('sync', ['-f', dir], { stdio: 'ignore' });
  if (r.status !== 0) spawnSync('sync', [], { stdio: 'ignore' });
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

export function applyPlan(plan: WritePlan, opts: WriteOptions = {}): { backupDir: string | undefined } {
  const { root } = plan;
  if (plan.conflicts.length > 0 && !opts.force) {
    const first = plan.conflicts
      .slice(0, 5)
      .map((c) => `${c.path} (${c.conflict === 'edited' ? 'changed by hand' : 'not written by dokomodo'})`);
    throw new DokomodoError(
      'write-conflict',
      `${plan.conflicts.length} file${plan.conflicts.length === 1 ? '' : 's'} would be overwritten or removed: ${first.join(', ')}${plan.conflicts.length > 5 ? ', …' : ''}`,
      {
        hint: 'check them; rerun with --force to replace them (a backup is kept under .dokomodo/backup/)',
      },
    );
  }
  const toWrite = plan.changes.filter((c) => c.kind === 'create' || c.kind === 'update' || c.kind === 'mode');
  const toPrune = plan.changes.filter((c) => c.kind === 'prune');
  const staged: string[] = [];
  const umask = process.umask();
  try {
    makeDirs(join(root, STATE_DIR));
    // 1. Stage every new file next to its target. A failure here (full disk, read-only) leaves the old tree.
    const made = new Set<string>();
    for (const c of toWrite) {
      const a = plan.artifacts.get(c.path)!;
      const file = join(root, c.path);
      const dir = dirname(file);
      if (!made.has(dir)) {
        makeDirs(dir);
        made.add(dir);
      }
      const tmp = file + TMP_SUFFIX;
      staged.push(tmp);
      writeFileSync(tmp, a.content, { mode: a.mode });
      // The umask may have taken bits away from the requested mode: put them back.
      if ((a.mode & umask) !== 0) chmodSync(tmp, a.mode);
      opts.onStep?.('staged', c.path);
    }
    // Everything staged reaches the disk before the journal commits to it: one syncfs for the
    // whole tree instead of an fsync per file (tens of thousands of files at scale).
    syncFileSystem(root);
  } catch (e) {
    for (const tmp of staged) rmSync(tmp, { force: true });
    throw writeError(e, root);
  }
  // 2. Back up what is about to be replaced or removed.
  let backupDir: string | undefined;
  const replaced = [...toWrite.filter((c) => c.kind === 'update'), ...toPrune];
  if (replaced.length > 0) {
    backupDir = join(root, STATE_DIR, 'backup', stamp());
    try {
      for (const c of replaced) {
        const dst = join(backupDir, c.path);
        makeDirs(dirname(dst));
        copyFileSync(join(root, c.path), dst);
      }
    } catch (e) {
      for (const tmp of staged) rmSync(tmp, { force: true });
      throw writeError(e, root);
    }
  }
  // 3. The journal makes the renames one step: from here on, recovery rolls forward.
  const journal = {
    renames: toWrite.map((c) => c.path),
    removes: toPrune.map((c) => c.path),
    manifest: plan.manifest,
  };
  atomicWrite(join(root, JOURNAL), JSON.stringify(journal), 0o600);
  opts.onStep?.('journal');
  for (const c of toWrite) {
    renameSync(join(root, c.path) + TMP_SUFFIX, join(root, c.path));
    opts.onStep?.('renamed', c.path);
  }
  for (const c of toPrune) rmSync(join(root, c.path), { force: true });
  removeEmptyDirs(
    root,
    toPrune.map((c) => c.path),
  );
  atomicWrite(join(root, MANIFEST), `${JSON.stringify(plan.manifest, null, 2)}\n`, 0o644);
  unlinkSync(join(root, JOURNAL));
  return { backupDir };
}

function removeEmptyDirs(root: string, paths: string[]): void {
  const dirs = new Set<string>();
  for (const p of paths) {
    let d = dirname(p);
    while (d && d !== '.') {
      dirs.add(d);
      d = dirname(d);
    }
  }
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      if (readdirSync(join(root, d)).length === 0) rmSync(join(root, d), { recursive: false, force: true });
    } catch {
      // not empty or already gone
    }
  }
}

function writeError(e: unknown, root: string): DokomodoError {
  const code = (e as NodeJS.ErrnoException).code;
  const path = (e as NodeJS.ErrnoException).path;
  const rel = path ? relative(root, path).split(sep).join('/') : '';
  // Inside the tree: the path relative to it; the tree itself or outside it: the full path.
  const where = rel && !rel.startsWith('..') ? rel : (path ?? root);
  const reason =
    code === 'ENOSPC'
      ? 'the disk is full'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EROFS'
          ? 'the file system is read-only'
          : code === 'ENOENT' || code === 'ENOTDIR'
            ? 'the directory cannot be created there'
            : String(code ?? (e instanceof Error ? e.message : e));
  return new DokomodoError('write-failed', `could not write ${where}: ${reason}; nothing was changed`, {
    hint: code === 'ENOSPC' ? 'free some space and rerun' : 'check the output directory and its permissions',
    cause: e,
  });
}

/** Plans and applies in one go: what `dokomodo render` does. */
export function writeArtifacts(
  root: string,
  artifacts: readonly Artifact[],
  opts: WriteOptions = {},
): { plan: WritePlan; backupDir: string | undefined } {
  recover(root);
  const plan = planWrite(root, artifacts, opts);
  if (!hasChanges(plan)) return { plan, backupDir: undefined };
  return { plan, ...applyPlan(plan, opts) };
}
