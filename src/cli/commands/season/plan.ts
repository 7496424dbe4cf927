/** `dokomodo season plan`: what a season change would change; nothing is touched. */
import { ExitCode } from '../../../core/errors.ts';
import type { Context } from '../../context.ts';
import { printJson } from '../../output.ts';
import { planText, prepareSeason, type SeasonOptions } from './common.ts';

export async function seasonPlanCommand(ctx: Context, opts: SeasonOptions): Promise<number> {
  const { plan } = await prepareSeason(ctx, opts);
  if (ctx.opts.json) printJson(ctx.out, plan);
  else ctx.out.stdout(planText(ctx, plan));
  return ExitCode.ok;
}
