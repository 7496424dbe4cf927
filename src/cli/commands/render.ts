import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Platform, Selection } from '../../platform/model.ts';
import {
  type CompileOptions,
  compile,
  compileTo,
  parseTargets,
  renderContext,
} from '../../compiler/compile.ts';
import { type Change, checkArtifacts, hasChanges, openTreeWriter, summarize } from '../../compiler/write.ts';
import { ExitCode } from '../../core/errors.ts';
import { nodeHost } from '../../core/host.ts';
import { readSecret } from '../../platform/secret.ts';
import { type Context, loadSelection } from '../context.ts';
import { distDir } from '../paths.ts';
import { paint, printJson } from '../output.ts';

export interface RenderOptions {
  out: string;
  host?: string[];
  target?: string;
  check?: boolean;
  prune?: boolean;
  force?: boolean;
}

export async function render(ctx: Context, opts: RenderOptions): Promise<number> {
  const targets = parseTargets(opts.target);
  const { platform, selection } = await loadSelection(ctx);
  const secret = readSecret(platform, nodeHost());
  const compileOptions = renderOptions(platform, secret, targets, opts.host);
  const root = resolve(opts.out);
  const source = platform.file;
  if (opts.check) {
    const artifacts = compile(platform, selection, compileOptions);
    // Planned as a prune so that files a moved or removed chain left behind show, with --prune or
    // without it (then as `left behind`: `render` alone keeps them, `render --prune` removes them).
    const plan = checkArtifacts(root, artifacts, { prune: true, source });
    const drift = hasChanges(plan);
    report(ctx, opts.out, plan.changes, summarize(plan), true, undefined, opts.prune !== true);
    return drift ? ExitCode.failure : ExitCode.ok;
  }
  const result = writeTree(platform, selection, compileOptions, root, opts);
  report(ctx, opts.out, result.plan.changes, summarize(result.plan), false, result.backupDir);
  return ExitCode.ok;
}

/** Renders into `root` with the one tree writer (lock, generations, manifest): render and deploy. */
export function writeTree(
  platform: Platform,
  selection: Selection,
  compileOptions: CompileOptions,
  root: string,
  opts: { prune?: boolean; force?: boolean } = {},
): ReturnType<ReturnType<typeof openTreeWriter>['finish']> {
  // Usage errors (an unknown host) come before the lock is taken.
  renderContext(platform, selection, compileOptions);
  // Each file goes to disk as it is rendered: a large fleet's tree is never all in memory.
  const writer = openTreeWriter(root, {
    prune: opts.prune === true,
    force: opts.force === true,
    source: platform.file,
    ...backgroundWriter(),
  });
  try {
    compileTo(platform, selection, compileOptions, (a) => writer.add(a));
    return writer.finish();
  } finally {
    writer.abort();
  }
}

/** The background writer's script when the bundle has it (not when run from the sources). */
function backgroundWriter(): { background?: string } {
  const script = join(distDir(), 'write-worker.js');
  return existsSync(script) ? { background: script } : {};
}

/** The compile options of a render of these targets and hosts. */
export function renderOptions(
  platform: Platform,
  secret: string,
  targets: ReturnType<typeof parseTargets>,
  hosts?: string[],
): CompileOptions {
  return {
    secret,
    targets,
    ...(hosts ? { hosts } : {}),
    ...(targets.includes('compose') || targets.includes('kubernetes') || targets.includes('systemd')
      ? { sources: platformSources(platform) }
      : {}),
  };
}

/** The platform file and the notary files it names, as the container targets ship them. */
function platformSources(platform: Platform): Record<string, string> {
  const sources: Record<string, string> = { [basename(platform.file)]: readFileSync(platform.file, 'utf8') };
  for (const n of platform.notaries) {
    const path = resolve(dirname(platform.file), n.source);
    if (n.source !== 'inline' && existsSync(path)) sources[n.source] = readFileSync(path, 'utf8');
  }
  return sources;
}

function report(
  ctx: Context,
  out: string,
  changes: Change[],
  s: ReturnType<typeof summarize>,
  check: boolean,
  backupDir?: string,
  leftBehind = false,
): void {
  if (ctx.opts.json) {
    printJson(ctx.out, {
      out,
      check,
      summary: s,
      changes: changes
        .filter((c) => c.kind !== 'unchanged')
        .map((c) => (leftBehind && c.kind === 'prune' ? { ...c, kind: 'left-behind' } : c)),
      backup: backupDir ?? null,
    });
    return;
  }
  const verbs: Record<Change['kind'], string> = {
    create: 'create',
    update: 'update',
    mode: 'chmod',
    prune: 'remove',
    unchanged: '',
  };
  // One write for all lines: a first render of a large fleet lists tens of thousands of files.
  const lines: string[] = [];
  for (const c of changes) {
    if (c.kind === 'unchanged') continue;
    const mark = c.conflict
      ? paint(
          ctx.out,
          'yellow',
          ` (${c.conflict === 'edited' ? 'changed by hand' : 'not written by dokomodo'})`,
        )
      : '';
    if (leftBehind && c.kind === 'prune') {
      lines.push(
        `left behind ${c.path}${mark} (no chain or instance renders it; render --prune removes it)\n`,
      );
      continue;
    }
    lines.push(`${check ? 'would ' : ''}${verbs[c.kind]} ${c.path}${mark}\n`);
  }
  if (lines.length > 0) ctx.out.stdout(lines.join(''));
  const parts = [
    `${s.create} new`,
    `${s.update} changed`,
    `${s.mode} mode`,
    leftBehind ? `${s.prune} left behind` : `${s.prune} removed`,
    `${s.unchanged} unchanged`,
  ];
  const drift = s.create + s.update + s.mode + s.prune > 0;
  if (check)
    ctx.out.stdout(
      `${drift ? paint(ctx.out, 'yellow', 'drift') : paint(ctx.out, 'green', 'up to date')} ${out}: ${parts.join(', ')}\n`,
    );
  else ctx.out.stdout(`${paint(ctx.out, 'green', 'rendered')} ${out}: ${parts.join(', ')}\n`);
  if (backupDir) ctx.out.stdout(`replaced files backed up in ${backupDir}\n`);
}
