/**
 * The writer: the only code that puts compiler output on disk.
 *
 * - Plan, then apply: `planWrite` compares the artifacts with the tree and its manifest and says
 *   what would change; `applyPlan` carries it out.
 * - One writer at a time: every write (and every recovery) holds the output directory's lock
 *   (`lock.ts`); a second render gets `render-locked`, naming the holder.
 * - Readers never see a mixed tree. Every path a reader opens goes through one symbolic link,
 *   `.dokomodo/current`, to a complete generation of the tree:
 *
 *       OUT/hosts → .dokomodo/current/hosts       one link per top-level name, made once
 *       OUT/.dokomodo/current → trees/g7          the commit point: replaced by one rename()
 *       OUT/.dokomodo/trees/g7/                   the whole tree, with its .manifest.json
 *       OUT/.dokomodo/previous → trees/g6         the generation before, for readers still in it
 *       OUT/.dokomodo/manifest.json → current/.manifest.json
 *
 *   A render builds the next generation beside the current one (files it keeps and files others
 *   put there are hard links, so nothing is copied and nothing of theirs is lost), makes it
 *   durable with one syncfs, and swaps `current`. Killed before the swap, the old tree stands
 *   (the half-built generation is removed by the next run); after it, the new one does.
 * - Ownership: the manifest records what dokomodo wrote, with hashes. A file dokomodo did not
 *   write, or one changed by hand since, is not overwritten or pruned without `force`; what is
 *   replaced or pruned is first linked into `.dokomodo/backup/<stamp>/`.
 * - Trees written by earlier versions (real directories, `.dokomodo/manifest.json` a file) are
 *   migrated once, without changing a byte: see `adopt`.
 * - Wallets are never touched, whatever the flags.
 */
import { spawnSync } from 'node:child_process';
import {
  type Dirent,
  type Stats,
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  fstatSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { DokomodoError } from '../core/errors.ts';
import { makeDirs } from '../core/local.ts';
import type { Artifact } from './artifact.ts';
import { BACKGROUND_FAILED, BackgroundWriter } from './background.ts';
import { acquireLock, withLock } from './lock.ts';
import { createFile, Dirs, Encoder, sha256, umask } from './write-file.ts';

const encoder = new Encoder();
/** A streamed render writes this many files itself before it hands the rest to its background thread. */
const BACKGROUND_AFTER = 512;

export const STATE_DIR = '.dokomodo';
const MANIFEST = `${STATE_DIR}/manifest.json`;
const CURRENT = `${STATE_DIR}/current`;
const PREVIOUS = `${STATE_DIR}/previous`;
const TREES = `${STATE_DIR}/trees`;
/** The manifest inside a generation, so that it flips with the tree it describes. */
const GEN_MANIFEST = '.manifest.json';
/** Written before a migration's swap; lets the next run finish or undo it. */
const ADOPT_JOURNAL = `${STATE_DIR}/adopt.json`;
/** The journal and temporaries of the writer before generations (read only to finish its work). */
const LEGACY_JOURNAL = `${STATE_DIR}/journal.json`;
const LEGACY_TMP_SUFFIX = '.dokomodo-tmp';

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
  /** The manifest the tree will have. Files still to be created get their hash when applied. */
  manifest: Manifest;
  /** Changes that need --force; applying refuses while there are any and force is off. */
  conflicts: Change[];
}

export interface WriteOptions {
  prune?: boolean;
  force?: boolean;
  source?: string;
  /**
   * For tests of crash safety: called after each step; throwing simulates a crash there.
   * `staged`: one file written into the next generation; `synced`: the generation is complete
   * and durable, not yet visible; `committed`: `current` now names it, cleanup not yet done.
   */
  onStep?: (step: 'staged' | 'synced' | 'committed', path?: string) => void;
  /**
   * The background writer's script (dist/write-worker.js). When set, a streamed render writes
   * its files after the first `BACKGROUND_AFTER` on a second thread (background.ts); `staged`
   * then means handed to it. Unset (tests run from the sources), every file is written here.
   */
  background?: string;
}

function topOf(path: string): string {
  const i = path.indexOf('/');
  return i < 0 ? path : path.slice(0, i);
}

/** A path a writer may never touch: wallets, its own state, and anything outside the root. */
function isForbidden(path: string, top: string): boolean {
  if (top === STATE_DIR || top === GEN_MANIFEST || path.startsWith('/')) return true;
  // Most paths have neither: one search each instead of the checks below.
  if (
    path.includes('..') &&
    (path === '..' || path.startsWith('../') || path.endsWith('/..') || path.includes('/../'))
  )
    return true;
  if (!path.includes('wallet')) return false;
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.startsWith('wallet') && base.endsWith('.dat');
}

/** The manifest of the tree at `root` (what the last render wrote), or undefined. */
export function treeManifest(root: string): Manifest | undefined {
  return readManifest(root);
}

function readManifest(root: string): Manifest | undefined {
  let text: string;
  try {
    text = readFileSync(join(root, MANIFEST), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const m = JSON.parse(text) as Manifest;
    if (m.version === 1 && m.files && typeof m.files === 'object') return m;
  } catch {
    // fall through: a broken manifest is treated as none, so nothing is overwritten without --force
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Generations

function linkTarget(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** The generation a state link (`current`, `previous`) names. */
function genOf(root: string, link: string): string | undefined {
  const t = linkTarget(join(root, link));
  return t?.startsWith('trees/') ? t.slice('trees/'.length) : undefined;
}

const genNumber = (g: string): number => (/^g\d+$/.test(g) ? Number(g.slice(1)) : -1);

function generations(root: string): string[] {
  try {
    return readdirSync(join(root, TREES));
  } catch {
    return [];
  }
}

function nextGen(root: string): string {
  let max = 0;
  for (const g of generations(root)) max = Math.max(max, genNumber(g));
  return `g${max + 1}`;
}

/** What a top-level link of the root points at. */
const topLinkTarget = (name: string): string => `${CURRENT}/${name}`;

/** Replaces (or creates) the symbolic link `path` in one rename: readers see the old or the new target. */
function swapLink(path: string, target: string): void {
  const tmp = `${path}.new-${process.pid}`;
  rmSync(tmp, { force: true });
  symlinkSync(target, tmp);
  renameSync(tmp, path);
}

/** Makes `dst` the same file as `src`: a hard link, or a copy where links are not allowed. */
function carryFile(src: string, dst: string): void {
  try {
    linkSync(src, dst);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (
      code !== 'EPERM' &&
      code !== 'EXDEV' &&
      code !== 'EMLINK' &&
      code !== 'ENOTSUP' &&
      code !== 'EOPNOTSUPP'
    )
      throw e;
    const st = lstatSync(src);
    if (st.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else {
      copyFileSync(src, dst);
      chmodSync(dst, st.mode & 0o7777);
    }
  }
}

/** Links every entry of the tree at `src` into `dst` (directories are made, with their modes), except what `skip` names. */
function carryTree(src: string, dst: string, dirs: Dirs, skip: (rel: string) => boolean, rel = ''): void {
  const from = rel ? `${src}/${rel}` : src;
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      const d = `${dst}/${r}`;
      const mode = lstatSync(`${src}/${r}`).mode & 0o7777;
      // Made already when a file was written below it: only its mode is carried.
      if (!dirs.has(d)) mkdirSync(d);
      if (mode !== (0o777 & ~umask)) chmodSync(d, mode);
      dirs.mark(d);
      carryTree(src, dst, dirs, skip, r);
    } else if (!skip(r)) carryFile(`${src}/${r}`, `${dst}/${r}`);
  }
}

/** Flushes the file system holding `dir` (syncfs through coreutils' `sync -f`); falls back to a full sync. */
function syncFileSystem(dir: string): void {
  const r = spawnSync('sync', ['-f', dir], { stdio: 'ignore' });
  if (r.status !== 0) spawnSync('sync', [], { stdio: 'ignore' });
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

/** The generations to keep: the current one and the one before it. Everything else goes. */
function removeOldGenerations(root: string, building?: string): boolean {
  const keep = new Set([genOf(root, CURRENT), genOf(root, PREVIOUS), building]);
  let removed = false;
  for (const g of generations(root)) {
    if (keep.has(g)) continue;
    rmSync(join(root, TREES, g), { recursive: true, force: true });
    removed = true;
  }
  return removed;
}

/** Makes the root's top-level links match the current generation: missing ones made, dangling ones removed. */
function syncTopLinks(root: string): boolean {
  const cur = genOf(root, CURRENT);
  if (cur === undefined) return false;
  const names = new Set(readdirSync(join(root, TREES, cur)).filter((n) => n !== GEN_MANIFEST));
  let changed = false;
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (
      e.isSymbolicLink() &&
      linkTarget(join(root, e.name)) === topLinkTarget(e.name) &&
      !names.has(e.name)
    ) {
      unlinkSync(join(root, e.name));
      changed = true;
    }
    names.delete(e.name);
  }
  for (const n of names) {
    symlinkSync(topLinkTarget(n), join(root, n));
    changed = true;
  }
  if (linkTarget(join(root, MANIFEST)) !== `current/${GEN_MANIFEST}`) {
    swapLink(join(root, MANIFEST), `current/${GEN_MANIFEST}`);
    changed = true;
  }
  return changed;
}

// ---------------------------------------------------------------------------------------------
// Recovery

/** The writer before generations: finishes its journal, or removes its temporaries. */
function legacyRecover(root: string): 'clean' | 'rolled-forward' | 'rolled-back' {
  const journalFile = join(root, LEGACY_JOURNAL);
  if (existsSync(journalFile)) {
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as {
      renames: string[];
      removes: string[];
      manifest: Manifest;
    };
    for (const p of journal.renames) {
      const tmp = join(root, p + LEGACY_TMP_SUFFIX);
      if (existsSync(tmp)) renameSync(tmp, join(root, p));
    }
    for (const p of journal.removes) rmSync(join(root, p), { force: true });
    writeDurably(join(root, MANIFEST), `${JSON.stringify(journal.manifest, null, 2)}\n`, 0o644);
    unlinkSync(journalFile);
    return 'rolled-forward';
  }
  let removed = false;
  for (const f of [`${MANIFEST}${LEGACY_TMP_SUFFIX}`, `${LEGACY_JOURNAL}${LEGACY_TMP_SUFFIX}`]) {
    if (existsSync(join(root, f))) {
      unlinkSync(join(root, f));
      removed = true;
    }
  }
  for (const f of walk(root)) {
    if (f.endsWith(LEGACY_TMP_SUFFIX)) {
      unlinkSync(join(root, f));
      removed = true;
    }
  }
  return removed ? 'rolled-back' : 'clean';
}

function* walk(root: string, dir = ''): Generator<string> {
  let entries: Dirent[];
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (rel === STATE_DIR) continue;
    if (e.isDirectory()) yield* walk(root, rel);
    else yield rel;
  }
}

/** Writes a small state file through a temporary file, fsync and rename. */
function writeDurably(file: string, content: string, mode: number): void {
  const tmp = `${file}.new-${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** Finishes whatever a killed run left, so the tree is whole and tidy before anything reads it. Holds the lock. */
function recoverLocked(root: string): 'clean' | 'rolled-forward' | 'rolled-back' {
  if (!existsSync(join(root, STATE_DIR))) return 'clean';
  let result: 'clean' | 'rolled-forward' | 'rolled-back' = 'clean';
  const note = (r: 'rolled-forward' | 'rolled-back') => {
    if (result === 'clean') result = r;
  };
  if (existsSync(join(root, ADOPT_JOURNAL))) note(finishAdoption(root));
  for (const n of readdirSync(join(root, STATE_DIR))) {
    if (/\.new-\d+$/.test(n)) rmSync(join(root, STATE_DIR, n), { force: true });
  }
  const cur = genOf(root, CURRENT);
  if (cur === undefined) {
    if (existsSync(join(root, LEGACY_JOURNAL)) || isLegacy(root)) {
      const r = legacyRecover(root);
      if (r !== 'clean') note(r);
    }
    // Generations without a `current`: a first render killed before its commit, maybe after
    // making the links of its top-level names (which lead nowhere).
    for (const g of generations(root)) {
      rmSync(join(root, TREES, g), { recursive: true, force: true });
      note('rolled-back');
    }
    for (const e of readdirSync(root, { withFileTypes: true })) {
      if (e.isSymbolicLink() && linkTarget(join(root, e.name)) === topLinkTarget(e.name)) {
        unlinkSync(join(root, e.name));
        note('rolled-back');
      }
    }
    return result;
  }
  const curN = genNumber(cur);
  for (const g of generations(root)) {
    if (genNumber(g) > curN || genNumber(g) < 0) {
      // Built but never committed: the old tree is the one readers saw, so it stays.
      rmSync(join(root, TREES, g), { recursive: true, force: true });
      note('rolled-back');
    }
  }
  if (removeOldGenerations(root)) note('rolled-forward');
  if (syncTopLinks(root)) note('rolled-forward');
  return result;
}

/** A tree of the writer before generations: a manifest that is a plain file. */
function isLegacy(root: string): boolean {
  try {
    return lstatSync(join(root, MANIFEST)).isFile();
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Migration: real top-level entries become links into a generation, with the same bytes

interface AdoptJournal {
  gen: string;
  names: string[];
}

/**
 * Moves real top-level entries that the tree needs (every one of a tree written by an earlier
 * version, or a directory someone made where a target now renders) into a generation without
 * changing any content: a generation of hard links is built and committed, then each real entry
 * is renamed away and replaced by its link. A reader sees the same bytes before and after; only
 * between the two renames of one name is that name briefly absent. Holds the lock.
 */
function adopt(root: string, names: Iterable<string>, building?: string): void {
  const real: string[] = [];
  for (const n of new Set(names)) {
    let st: Stats;
    try {
      st = lstatSync(join(root, n));
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) {
      if (linkTarget(join(root, n)) === topLinkTarget(n)) continue;
      throw new DokomodoError(
        'write-failed',
        `could not write ${join(root, n)}: it is a symbolic link dokomodo did not make; nothing was changed`,
        { hint: `move it away, or render into the directory it points to` },
      );
    }
    real.push(n);
  }
  const legacyManifest = isLegacy(root);
  if (real.length === 0 && !legacyManifest) return;
  const cur = genOf(root, CURRENT);
  const gen = nextGen(root);
  const genDir = join(root, TREES, gen);
  try {
    makeDirs(join(root, TREES));
    mkdirSync(genDir);
    const dirs = new Dirs(genDir);
    if (cur) carryTree(join(root, TREES, cur), genDir, dirs, () => false);
    for (const n of real) {
      const src = join(root, n);
      if (lstatSync(src).isDirectory()) {
        mkdirSync(join(genDir, n), { mode: lstatSync(src).mode & 0o7777 });
        carryTree(src, join(genDir, n), dirs, () => false);
      } else carryFile(src, join(genDir, n));
    }
    if (legacyManifest) copyFileSync(join(root, MANIFEST), join(genDir, GEN_MANIFEST));
    else if (!existsSync(join(genDir, GEN_MANIFEST))) {
      writeFileSync(join(genDir, GEN_MANIFEST), `${JSON.stringify({ version: 1, source: '', files: {} })}\n`);
    }
    syncFileSystem(root);
    writeDurably(
      join(root, ADOPT_JOURNAL),
      JSON.stringify({ gen, names: real } satisfies AdoptJournal),
      0o644,
    );
  } catch (e) {
    rmSync(genDir, { recursive: true, force: true });
    throw writeError(e, root);
  }
  if (cur) swapLink(join(root, PREVIOUS), `trees/${cur}`);
  swapLink(join(root, CURRENT), `trees/${gen}`);
  finishAdoption(root, building);
}

/** The second half of `adopt`, also run by recovery after a kill. */
function finishAdoption(root: string, building?: string): 'rolled-forward' | 'rolled-back' {
  const journalFile = join(root, ADOPT_JOURNAL);
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as AdoptJournal;
  if (genOf(root, CURRENT) !== journal.gen) {
    rmSync(join(root, TREES, journal.gen), { recursive: true, force: true });
    unlinkSync(journalFile);
    return 'rolled-back';
  }
  const trash = join(root, STATE_DIR, `adopted-${journal.gen}`);
  for (const n of journal.names) {
    const p = join(root, n);
    let st: Stats | undefined;
    try {
      st = lstatSync(p);
    } catch {
      st = undefined;
    }
    if (st && !st.isSymbolicLink()) {
      makeDirs(trash);
      renameSync(p, join(trash, n));
      st = undefined;
    }
    if (!st) symlinkSync(topLinkTarget(n), p);
  }
  syncTopLinks(root);
  // Every inode of the moved-away entries lives on in the generation (hard links).
  rmSync(trash, { recursive: true, force: true });
  unlinkSync(journalFile);
  removeOldGenerations(root, building);
  return 'rolled-forward';
}

// ---------------------------------------------------------------------------------------------
// Planning

/** The bytes and mode of the file a reader finds at `file`, if any. */
function readExisting(file: string): { data: Buffer; mode: number } | 'not-a-file' | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return 'not-a-file';
    return { data: readFileSync(fd), mode: st.mode & 0o777 };
  } finally {
    closeSync(fd);
  }
}

/** Names directly in the root, so that paths under a name that is not there cost no lookup. */
function topNames(root: string): Set<string> {
  try {
    return new Set(readdirSync(root).filter((n) => n !== STATE_DIR));
  } catch {
    return new Set();
  }
}

/** Plans artifact by artifact against the tree as a reader sees it; `finish` adds the prunes. */
class Planner {
  readonly old: Manifest | undefined;
  private readonly present: Set<string>;
  private readonly source: string;
  readonly changes: Change[] = [];
  /** The manifest entry of every path planned (a Map: tens of thousands of keys go in one by one). */
  private readonly entries = new Map<string, ManifestEntry>();
  constructor(
    readonly root: string,
    private readonly opts: WriteOptions,
  ) {
    this.old = readManifest(root);
    this.present = topNames(root);
    this.source = opts.source ?? this.old?.source ?? '';
  }

  /** The manifest entry planned for `path` (its hash is set when the file is written). */
  entry(path: string): ManifestEntry {
    return this.entries.get(path)!;
  }

  planArtifact(a: Artifact): Change {
    const { path } = a;
    const top = topOf(path);
    if (isForbidden(path, top)) throw new Error(`refusing to write ${path}`);
    if (this.entries.has(path)) throw new Error(`two artifacts want ${path}`);
    const current = this.present.has(top) ? readExisting(`${this.root}/${path}`) : undefined;
    let change: Change;
    if (current === undefined) {
      // Hashed when written, from the very bytes written (see WritePlan.manifest).
      this.entries.set(path, { sha256: '', mode: a.mode, target: a.target, host: a.host ?? null });
      change = { path, kind: 'create' };
    } else {
      const hash = encoder.encode(a.content).sha256;
      this.entries.set(path, { sha256: hash, mode: a.mode, target: a.target, host: a.host ?? null });
      const currentHash = current === 'not-a-file' ? '' : sha256(current.data);
      const mode = current === 'not-a-file' ? -1 : current.mode;
      const known = this.old?.files[path];
      let conflict: Change['conflict'];
      if (!known) conflict = currentHash === hash ? undefined : 'unmanaged';
      else if (known.sha256 !== currentHash) conflict = currentHash === hash ? undefined : 'edited';
      const kind: ChangeKind = currentHash !== hash ? 'update' : mode !== a.mode ? 'mode' : 'unchanged';
      change = conflict ? { path, kind, conflict } : { path, kind };
    }
    this.changes.push(change);
    return change;
  }

  finish(artifacts: Map<string, Artifact>): WritePlan {
    const { old, root, changes, entries } = this;
    if (this.opts.prune && old) {
      for (const [path, entry] of Object.entries(old.files)) {
        if (entries.has(path) || isForbidden(path, topOf(path))) continue;
        const current = this.present.has(topOf(path)) ? readExisting(`${root}/${path}`) : undefined;
        if (current === undefined) continue;
        const edited = current === 'not-a-file' || sha256(current.data) !== entry.sha256;
        changes.push(edited ? { path, kind: 'prune', conflict: 'edited' } : { path, kind: 'prune' });
      }
    } else if (old) {
      // Without --prune, files dokomodo wrote earlier stay on disk and stay in the manifest.
      for (const [path, entry] of Object.entries(old.files)) {
        if (!entries.has(path) && this.present.has(topOf(path)) && existsSync(`${root}/${path}`))
          entries.set(path, entry);
      }
    }
    const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    changes.sort((a, b) => byPath(a.path, b.path));
    // The manifest's bytes do not depend on the order the renderers produced the files in.
    const files: Record<string, ManifestEntry> = {};
    for (const k of [...entries.keys()].sort(byPath)) files[k] = entries.get(k)!;
    const manifest: Manifest = { version: 1, source: this.source, files };
    return { root, changes, artifacts, manifest, conflicts: changes.filter((c) => c.conflict) };
  }
}

const writes = (c: Change) => c.kind === 'create' || c.kind === 'update' || c.kind === 'mode';

export function planWrite(root: string, artifacts: readonly Artifact[], opts: WriteOptions = {}): WritePlan {
  const planner = new Planner(root, opts);
  const byPath = new Map<string, Artifact>();
  for (const a of artifacts) {
    planner.planArtifact(a);
    byPath.set(a.path, a);
  }
  return planner.finish(byPath);
}

export function summarize(plan: WritePlan): Record<ChangeKind, number> {
  const s: Record<ChangeKind, number> = { create: 0, update: 0, mode: 0, unchanged: 0, prune: 0 };
  for (const c of plan.changes) s[c.kind]++;
  return s;
}

export function hasChanges(plan: WritePlan): boolean {
  return plan.changes.some((c) => c.kind !== 'unchanged');
}

// ---------------------------------------------------------------------------------------------
// Applying

function refuseConflicts(plan: WritePlan): never {
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

/** Every top-level name the tree will have: of the artifacts and of what the manifest already holds. */
function treeTops(plan: WritePlan): Set<string> {
  const tops = new Set<string>();
  for (const p of plan.artifacts.keys()) tops.add(topOf(p));
  for (const p of Object.keys(plan.manifest.files)) tops.add(topOf(p));
  return tops;
}

/** The next generation while it is written: a directory no reader reaches until it is committed. */
interface Building {
  name: string;
  dir: string;
  dirs: Dirs;
  written: Set<string>;
}

const BUILDING_PREFIX = 'building-';

function startBuilding(root: string): Building {
  const name = `${BUILDING_PREFIX}${process.pid}`;
  const dir = join(root, TREES, name);
  try {
    makeDirs(join(root, TREES));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
  } catch (e) {
    throw writeError(e, root);
  }
  return { name, dir, dirs: new Dirs(dir), written: new Set() };
}

function discard(b: Building | undefined): void {
  if (b) rmSync(b.dir, { recursive: true, force: true });
}

/** Writes one artifact into the generation being built, and records its hash in the manifest. */
function writeInto(b: Building, a: Artifact, entry: ManifestEntry, opts: WriteOptions): void {
  const { bytes, sha256: hash } = encoder.encode(a.content);
  createFile(b.dirs, `${b.dir}/${a.path}`, bytes, a.mode);
  entry.sha256 = hash;
  b.written.add(a.path);
  opts.onStep?.('staged', a.path);
}

/**
 * Completes the generation being built (what stays is linked from the current one: unchanged
 * files, files rendered earlier, files others put there, wallets), makes it durable, and commits
 * it with one swap of `.dokomodo/current`. Holds the lock; conflicts are already settled.
 */
function commitBuilding(b: Building, plan: WritePlan, opts: WriteOptions): { backupDir: string | undefined } {
  const { root } = plan;
  const toPrune = plan.changes.filter((c) => c.kind === 'prune');
  const replaced = [...plan.changes.filter((c) => c.kind === 'update'), ...toPrune];
  const backupDir = replaced.length > 0 ? join(root, STATE_DIR, 'backup', stamp()) : undefined;
  let gen: string;
  let cur: string | undefined;
  try {
    adopt(root, treeTops(plan), b.name);
    cur = genOf(root, CURRENT);
    if (cur) {
      const skip = new Set<string>([GEN_MANIFEST, ...b.written, ...toPrune.map((c) => c.path)]);
      carryTree(join(root, TREES, cur), b.dir, b.dirs, (p) => skip.has(p));
    }
    // What is replaced or removed stays reachable: the old generation's file, linked.
    if (backupDir) {
      for (const c of replaced) {
        const dst = join(backupDir, c.path);
        makeDirs(dirname(dst));
        carryFile(`${root}/${c.path}`, dst);
      }
    }
    removeEmptyDirs(
      b.dir,
      toPrune.map((c) => c.path),
    );
    writeFileSync(join(b.dir, GEN_MANIFEST), `${JSON.stringify(plan.manifest, null, 2)}\n`, { mode: 0o644 });
    // One syncfs for the whole generation instead of an fsync per file (tens of thousands at scale).
    syncFileSystem(root);
    opts.onStep?.('synced');
    gen = nextGen(root);
    renameSync(b.dir, join(root, TREES, gen));
  } catch (e) {
    discard(b);
    if (backupDir) rmSync(backupDir, { recursive: true, force: true });
    throw writeError(e, root);
  }
  const genDir = join(root, TREES, gen);
  // Commit. New top-level names get their links first: until the swap they lead nowhere, which
  // is what the old tree has there.
  for (const n of readdirSync(genDir)) {
    if (n === GEN_MANIFEST) continue;
    try {
      lstatSync(join(root, n));
    } catch {
      symlinkSync(topLinkTarget(n), join(root, n));
    }
  }
  if (cur) swapLink(join(root, PREVIOUS), `trees/${cur}`);
  swapLink(join(root, CURRENT), `trees/${gen}`);
  opts.onStep?.('committed');
  // Tidy: links of names the tree no longer has, generations no reader needs.
  syncTopLinks(root);
  removeOldGenerations(root);
  return { backupDir };
}

function applyLocked(plan: WritePlan, opts: WriteOptions): { backupDir: string | undefined } {
  if (plan.conflicts.length > 0 && !opts.force) refuseConflicts(plan);
  const b = startBuilding(plan.root);
  try {
    for (const c of plan.changes)
      if (writes(c)) writeInto(b, plan.artifacts.get(c.path)!, plan.manifest.files[c.path]!, opts);
  } catch (e) {
    discard(b);
    throw writeError(e, plan.root);
  }
  return commitBuilding(b, plan, opts);
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
      if (readdirSync(join(root, d)).length === 0) rmdirSync(join(root, d));
    } catch {
      // not empty or already gone
    }
  }
}

function writeError(e: unknown, root: string): DokomodoError {
  if (e instanceof DokomodoError) return e;
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
            : code === BACKGROUND_FAILED
              ? (e as Error).message
              : String(code ?? (e instanceof Error ? e.message : e));
  return new DokomodoError('write-failed', `could not write ${where}: ${reason}; nothing was changed`, {
    hint:
      code === 'ENOSPC'
        ? 'free some space and rerun'
        : code === BACKGROUND_FAILED
          ? 'rerun; if it happens again, dokomodo’s dist/write-worker.js may be damaged: reinstall (npm ci)'
          : 'check the output directory and its permissions',
    cause: e,
  });
}

function lockOrFail(root: string): () => void {
  try {
    return acquireLock(root);
  } catch (e) {
    throw writeError(e, root);
  }
}

/** Finishes or undoes an interrupted earlier write, under the lock. */
export function recover(root: string): 'clean' | 'rolled-forward' | 'rolled-back' {
  if (!existsSync(join(root, STATE_DIR))) return 'clean';
  return withLock(root, () => recoverLocked(root));
}

/** Applies a plan, holding the lock of its root. */
export function applyPlan(plan: WritePlan, opts: WriteOptions = {}): { backupDir: string | undefined } {
  if (plan.conflicts.length > 0 && !opts.force) refuseConflicts(plan);
  const release = lockOrFail(plan.root);
  try {
    return applyLocked(plan, opts);
  } finally {
    release();
  }
}

/**
 * What `dokomodo render --check` does: recovers an interrupted write first (under the lock), then
 * plans. Writes nothing to a directory dokomodo never wrote, or one that cannot be written.
 */
export function checkArtifacts(
  root: string,
  artifacts: readonly Artifact[],
  opts: WriteOptions = {},
): WritePlan {
  if (!existsSync(join(root, STATE_DIR))) return planWrite(root, artifacts, opts);
  let release: () => void;
  try {
    release = acquireLock(root);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Nobody can write there, so nobody can be half-way through: the tree as it stands is whole.
    if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return planWrite(root, artifacts, opts);
    throw writeError(e, root);
  }
  try {
    recoverLocked(root);
    return planWrite(root, artifacts, opts);
  } finally {
    release();
  }
}

/** Plans and applies in one go, holding the lock: what `dokomodo render` does. */
export function writeArtifacts(
  root: string,
  artifacts: readonly Artifact[],
  opts: WriteOptions = {},
): { plan: WritePlan; backupDir: string | undefined } {
  const release = lockOrFail(root);
  try {
    recoverLocked(root);
    const plan = planWrite(root, artifacts, opts);
    if (!hasChanges(plan)) {
      // Nothing to write; a tree of an earlier version still moves to generations, once.
      if (isLegacy(root)) adopt(root, treeTops(plan));
      return { plan, backupDir: undefined };
    }
    return { plan, ...applyLocked(plan, opts) };
  } finally {
    release();
  }
}

/** A render streamed into the tree: each artifact is planned and written as it comes, then all is committed at once. */
export interface TreeWriter {
  /** Plans one artifact and, when it changes the tree, writes it into the next generation at once. */
  add(a: Artifact): void;
  /** Settles prunes and conflicts, then commits (or, with nothing to change, leaves the tree as it was). */
  finish(): { plan: WritePlan; backupDir: string | undefined };
  /** Drops what was written and releases the lock; the tree stays as it was. Safe after `finish`. */
  abort(): void;
}

/**
 * What `dokomodo render` writes through: the same plan and commit as `writeArtifacts`, without
 * holding the whole tree in memory — each file is written into the invisible next generation the
 * moment it is rendered, so its content can be collected at once. Nothing is visible before
 * `finish` commits; a write conflict found there (without force) discards the generation.
 */
export function openTreeWriter(root: string, opts: WriteOptions = {}): TreeWriter {
  const release = lockOrFail(root);
  let planner: Planner;
  try {
    recoverLocked(root);
    planner = new Planner(root, opts);
  } catch (e) {
    release();
    throw writeError(e, root);
  }
  let building: Building | undefined;
  let bg: BackgroundWriter | undefined;
  let open = true;
  let refusing = false;
  const close = () => {
    if (!open) return;
    open = false;
    // The background thread stops writing before the generation it writes into is removed.
    bg?.stop();
    discard(building);
    release();
  };
  return {
    add(a) {
      const change = planner.planArtifact(a);
      if (change.conflict && !opts.force) refusing = true;
      // Once the render is going to be refused, writing more is wasted work.
      if (!writes(change) || refusing) return;
      building ??= startBuilding(root);
      try {
        if (!bg && opts.background && building.written.size >= BACKGROUND_AFTER)
          bg = new BackgroundWriter(opts.background, building.dir);
        if (bg) {
          bg.submit(a.path, a.content, a.mode);
          building.written.add(a.path);
          opts.onStep?.('staged', a.path);
        } else writeInto(building, a, planner.entry(a.path), opts);
      } catch (e) {
        throw writeError(e, root);
      }
    },
    finish() {
      try {
        if (bg && building) {
          try {
            for (const d of bg.drain()) building.dirs.mark(d);
          } catch (e) {
            throw writeError(e, root);
          }
          for (const [path, hash] of bg.hashes) planner.entry(path).sha256 = hash;
          bg.stop();
          bg = undefined;
        }
        const plan = planner.finish(new Map());
        if (plan.conflicts.length > 0 && !opts.force) refuseConflicts(plan);
        if (!hasChanges(plan)) {
          // Nothing to write; a tree of an earlier version still moves to generations, once.
          if (isLegacy(root)) adopt(root, treeTops(plan));
          return { plan, backupDir: undefined };
        }
        const b = building ?? startBuilding(root);
        building = undefined;
        return { plan, ...commitBuilding(b, plan, opts) };
      } finally {
        close();
      }
    },
    abort: close,
  };
}
