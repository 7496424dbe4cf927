/**
 * `dokomodo season apply`: the season change made — the platform file's notary list pointed at
 * the new season or file (a copy of the old file kept beside it), then every Iguana instance that
 * reads the list gets its new elected file on its host, is restarted and bootstrapped again.
 */
import { copyFileSync, statSync } from 'node:fs';
import { bootstrapOrder } from '../../../compiler/renderers/iguana.ts';
import { DokomodoError, ExitCode } from '../../../core/errors.ts';
import { registerSecret } from '../../../core/redact.ts';
import { checkPubkey, notaryKeys } from '../../../operator/keys.ts';
import { fleetReach } from '../../../operator/remote/reach.ts';
import { nodeRuntime } from '../../../operator/runtime.ts';
import { seasonApply } from '../../../operator/season.ts';
import type { ChainModel } from '../../../platform/model.ts';
import type { Context } from '../../context.ts';
import { paint, printJson } from '../../output.ts';
import { PASSPHRASE_ENV, readSecretInput } from '../../secret-input.ts';
import { planText, prepareSeason, type SeasonOptions } from './common.ts';

export interface SeasonApplyCliOptions extends SeasonOptions {
  passphraseStdin?: boolean;
  fence?: boolean;
  fenceUnreachable?: boolean;
  force?: boolean;
  /** Apply to the instances although the platform file already has the list (after a failure). */
  again?: boolean;
  /** Seconds. */
  wait?: number;
}

export async function seasonApplyCommand(ctx: Context, opts: SeasonApplyCliOptions): Promise<number> {
  const { after, text, plan } = await prepareSeason(ctx, opts);
  const json = ctx.opts.json === true;
  if (!json) ctx.out.stdout(planText(ctx, plan));
  if (plan.unchanged && !opts.again) {
    if (json) printJson(ctx.out, { plan, written: false, instances: [] });
    else
      ctx.out.stdout(
        'the platform file already has this list; --again re-installs the elected files and restarts the Iguanas\n',
      );
    return ExitCode.ok;
  }
  if (plan.ours.pubkey !== undefined && !plan.ours.after && !opts.force)
    throw new DokomodoError(
      'season-not-elected',
      `this notary's pubkey is not in the new list of \`${plan.list}\`: its Iguana would be refused by dpow`,
      { hint: 'check the elected file and defaults.pubkey; --force applies it anyway' },
    );
  const runtime = nodeRuntime(after, { reach: fleetReach(after) });
  ctx.cleanups.push(() => runtime.close());
  runtime.secret();
  const passphrase = await readSecretInput({ stdin: opts.passphraseStdin === true, envVar: PASSPHRASE_ENV });
  registerSecret(passphrase);
  const chains = new Map<string, ChainModel>();
  for (const g of after.iguana)
    if (g.notaries === plan.list) for (const c of bootstrapOrder(after, g)) chains.set(c.name, c);
  const keys = notaryKeys(passphrase, [...chains.values()]);
  checkPubkey(after, keys.pubkey);
  // The platform file first (the old one kept beside it), so every later command sees the new season.
  const file = ctx.opts.file;
  let backup: string | undefined;
  if (!plan.unchanged) {
    backup = `${file}.bak-${new Date(runtime.clock.now()).toISOString().replace(/[-:]/g, '').slice(0, 15)}`;
    copyFileSync(file, backup);
    runtime.writeFile(file, text, { mode: statSync(file).mode & 0o777 });
    if (!json) ctx.out.stdout(`${file}: notaries.${plan.list} now ${plan.to} (the old file is ${backup})\n`);
  }
  const results = await seasonApply(runtime, plan, {
    passphrase,
    keys,
    waitMs: (opts.wait ?? 60) * 1000,
    ...(opts.fence ? { fence: true } : {}),
    ...(opts.fenceUnreachable ? { fenceUnreachable: true } : {}),
    onEvent: (e) => {
      if (!json) ctx.out.stdout(paint(ctx.out, 'dim', `  ${e.instance}: ${e.message}\n`));
    },
  });
  const ok = results.length === plan.instances.length && results.every((r) => r.ok);
  if (json)
    printJson(ctx.out, {
      plan,
      written: backup !== undefined,
      ...(backup ? { backup } : {}),
      instances: results.map(({ up, ...r }) => ({ ...r, ...(up ? { steps: up.steps.length } : {}) })),
    });
  else {
    for (const r of results)
      ctx.out.stdout(
        `iguana ${r.instance} on ${r.host}: ${r.ok ? paint(ctx.out, 'green', `${r.restart}, bootstrapped`) : paint(ctx.out, 'red', `failed: ${r.error?.code}: ${r.error?.message}`)}\n`,
      );
    const failed = results.find((r) => !r.ok);
    if (failed?.error?.hint) ctx.out.stdout(`  hint: ${failed.error.hint}\n`);
    ctx.out.stdout(
      ok
        ? `season applied: ${results.length} Iguana instance(s) on the new list\n`
        : 'season not fully applied: fix the failure above, then run the same `dokomodo season apply` with --again (the platform file already has the new list)\n',
    );
  }
  return ok ? ExitCode.ok : ExitCode.failure;
}
