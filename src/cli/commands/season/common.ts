/** What `season plan` and `season apply` share: the edited platform file and the plan. */
import { readFileSync } from 'node:fs';
import { ExitCode, DokomodoError, usageError } from '../../../core/errors.ts';
import { nodeHost } from '../../../core/host.ts';
import { type SeasonPlan, seasonPlan } from '../../../operator/season.ts';
import { type NotarySource, setNotarySource } from '../../../platform/edit.ts';
import { loadPlatformText } from '../../../platform/load.ts';
import type { Platform } from '../../../platform/model.ts';
import { type Context, loadOrExit } from '../../context.ts';
import { paint, printDiagnostics } from '../../output.ts';

export interface SeasonOptions {
  season?: number;
  set?: string;
  elected?: string;
  list?: string;
}

export interface PreparedSeason {
  before: Platform;
  after: Platform;
  /** The platform file's new text. */
  text: string;
  plan: SeasonPlan;
}

/** The list a season change is about: --list, else the one the main Iguana reads, else the only one. */
function listOf(platform: Platform, name: string | undefined): string {
  if (name !== undefined) {
    if (!platform.notaries.some((n) => n.name === name))
      throw usageError(
        'unknown-notaries',
        `no notary list \`${name}\` in ${platform.file}`,
        `lists: ${platform.notaries.map((n) => n.name).join(', ') || '(none)'}`,
      );
    return name;
  }
  const main = platform.iguana.find((g) => g.mode === 'main');
  if (main) return main.notaries;
  if (platform.notaries.length === 1) return platform.notaries[0]!.name;
  throw usageError('season-list-ambiguous', 'say which notary list changes season', 'pass --list NAME');
}

export async function prepareSeason(ctx: Context, opts: SeasonOptions): Promise<PreparedSeason> {
  if ((opts.season === undefined) === (opts.elected === undefined))
    throw usageError(
      'season-source',
      'give exactly one of --season N and --elected FILE',
      'e.g. `--season 8` or `--elected elected-s9.json`',
    );
  if (opts.set !== undefined && opts.set !== 'main' && opts.set !== '3p')
    throw usageError('bad-option', `--set ${opts.set}: expected main or 3p`, 'main or 3p');
  if (opts.set !== undefined && opts.season === undefined)
    throw usageError(
      'bad-option',
      '--set chooses between the built-in lists of a season',
      'use it with --season',
    );
  const before = await loadOrExit(ctx);
  const list = listOf(before, opts.list);
  const source: NotarySource =
    opts.season !== undefined
      ? { season: opts.season, ...(opts.set ? { set: opts.set as 'main' | '3p' } : {}) }
      : { file: opts.elected! };
  const text = setNotarySource(readFileSync(ctx.opts.file, 'utf8'), list, source);
  const loaded = loadPlatformText(ctx.opts.file, text, { reader: nodeHost() });
  if (!loaded.platform) {
    printDiagnostics(ctx.out, loaded.diagnostics);
    throw new DokomodoError(
      'season-invalid',
      `the platform file with notaries.${list} changed would not load`,
      {
        hint: 'the problems above are in the text dokomodo would write; nothing was changed',
        exitCode: ExitCode.failure,
      },
    );
  }
  return { before, after: loaded.platform, text, plan: seasonPlan(before, loaded.platform, list) };
}

export function planText(ctx: Context, p: SeasonPlan): string {
  const lines: string[] = [];
  lines.push(`notary list ${p.list}: ${p.from} → ${p.to}`);
  if (p.unchanged) {
    lines.push('  nothing changes');
    return `${lines.join('\n')}\n`;
  }
  const few = (xs: string[]) =>
    xs.length > 8 ? `${xs.slice(0, 8).join(', ')} … (${xs.length})` : xs.join(', ');
  if (p.added.length) lines.push(`  + ${p.added.length} notaries: ${few(p.added.map((n) => n.name))}`);
  if (p.removed.length) lines.push(`  - ${p.removed.length} notaries: ${few(p.removed.map((n) => n.name))}`);
  if (p.rekeyed.length)
    lines.push(`  ~ ${p.rekeyed.length} new pubkeys: ${few(p.rekeyed.map((n) => n.name))}`);
  if (p.seeds.added.length || p.seeds.removed.length)
    lines.push(`  seeds: +${p.seeds.added.length} -${p.seeds.removed.length}`);
  for (const s of p.settings) lines.push(`  ${s.key}: ${s.from} → ${s.to}`);
  if (p.ours.pubkey === undefined)
    lines.push(paint(ctx.out, 'yellow', '  this notary: defaults.pubkey is not set'));
  else
    lines.push(
      p.ours.after
        ? `  this notary (${p.ours.pubkey.slice(0, 10)}…): elected${p.ours.before ? '' : ' (new)'}`
        : paint(
            ctx.out,
            'red',
            `  this notary (${p.ours.pubkey.slice(0, 10)}…): NOT elected in the new list`,
          ),
    );
  lines.push(
    p.instances.length
      ? `  Iguana restarts: ${p.instances.map((i) => `${i.instance} on ${i.host}`).join(', ')}`
      : '  no Iguana reads this list',
  );
  return `${lines.join('\n')}\n`;
}
