/**
 * compile: Platform → artifacts, in memory. No I/O: the writer is the only code that touches disk.
 */
import { basename } from 'node:path';
import { usageError } from '../core/errors.ts';
import type { Platform, Selection } from '../platform/model.ts';
import { type Artifact, hostOf, type RenderContext, TARGETS, type TargetName } from './artifact.ts';
import { RENDERERS } from './renderers/index.ts';

export interface CompileOptions {
  secret: string;
  /** Targets to render (default: all). */
  targets?: readonly TargetName[];
  /** Only these hosts' per-host files (fleet-wide files are always rendered). */
  hosts?: readonly string[];
  /** Platform and notary file texts, for the container targets to ship copies (RenderContext.sources). */
  sources?: Readonly<Record<string, string>>;
}

/** Every host name that owns something in the selection, in platform order; `local` for host-less platforms. */
export function selectionHosts(platform: Platform, selection: Selection): string[] {
  const names = selection.hosts.map((h) => h.name);
  const used = [
    ...selection.chains.map((c) => hostOf(c.host)),
    ...platform.iguana.map((g) => hostOf(g.host)),
  ];
  for (const h of used)
    if (!names.includes(h) && (platform.hosts.length === 0 || selection.hosts.some((x) => x.name === h)))
      names.push(h);
  return names;
}

export function parseTargets(list: string | undefined): TargetName[] {
  if (!list || list === 'all') return [...TARGETS];
  const out: TargetName[] = [];
  for (const t of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!(TARGETS as readonly string[]).includes(t)) {
      throw usageError('unknown-target', `unknown target \`${t}\``, `targets: ${TARGETS.join(', ')}`);
    }
    if (!out.includes(t as TargetName)) out.push(t as TargetName);
  }
  return out;
}

/** The render context of a selection: the hosts to render for (checked) and the secret. */
export function renderContext(
  platform: Platform,
  selection: Selection,
  opts: Omit<CompileOptions, 'targets'>,
): RenderContext {
  let hosts = selectionHosts(platform, selection);
  if (opts.hosts && opts.hosts.length > 0) {
    for (const h of opts.hosts) {
      if (!hosts.includes(h)) {
        throw usageError(
          'unknown-host',
          `host \`${h}\` is not part of this selection`,
          `hosts: ${hosts.join(', ') || '(none)'}`,
        );
      }
    }
    hosts = [...opts.hosts];
  }
  const ctx: RenderContext = {
    platform,
    selection,
    secret: opts.secret,
    source: basename(platform.file),
    hosts,
  };
  if (opts.sources) ctx.sources = opts.sources;
  return ctx;
}

/** The artifacts of some targets, unsorted. */
export function renderTargets(ctx: RenderContext, targets: readonly TargetName[]): Artifact[] {
  const artifacts: Artifact[] = [];
  for (const t of targets) artifacts.push(...RENDERERS[t](ctx));
  return artifacts;
}

/** Checks that no two artifacts claim one path and sorts them by path (the deterministic order). */
export function finishArtifacts(artifacts: Artifact[]): Artifact[] {
  const seen = new Set<string>();
  for (const a of artifacts) {
    if (seen.has(a.path)) throw new Error(`two artifacts want ${a.path}`);
    seen.add(a.path);
  }
  return artifacts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Renders like `compile`, but hands each artifact to `sink` as soon as it is made and returns
 * nothing: the render command streams into the writer this way. Order is the renderers' own (the
 * writer's result does not depend on it); two artifacts with one path are the sink's to refuse.
 */
export function compileTo(
  platform: Platform,
  selection: Selection,
  opts: CompileOptions,
  sink: (a: Artifact) => void,
): void {
  const ctx: RenderContext = { ...renderContext(platform, selection, opts), sink };
  // Renderers of a few files return them as usual.
  for (const a of renderTargets(ctx, opts.targets ?? TARGETS)) sink(a);
}

export function compile(platform: Platform, selection: Selection, opts: CompileOptions): Artifact[] {
  const ctx = renderContext(platform, selection, opts);
  return finishArtifacts(renderTargets(ctx, opts.targets ?? TARGETS));
}
