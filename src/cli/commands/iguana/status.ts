/** `dokomodo iguana status`: what Iguana itself says, and what the bootstrap state recorded. */
import { ExitCode } from '../../../core/errors.ts';
import { type IguanaInstanceStatus, iguanaStatus as instanceStatus } from '../../../operator/iguana.ts';
import { type Context, loadRuntime } from '../../context.ts';
import { printJson } from '../../output.ts';
import { instances } from './instances.ts';
import { statusText } from '../../views/iguana.ts';

export async function iguanaStatusCmd(ctx: Context, name: string | undefined): Promise<number> {
  const { platform, selection, runtime } = await loadRuntime(ctx);
  const list = instances(platform, selection, name);
  const statuses: IguanaInstanceStatus[] = [];
  for (const g of list) statuses.push(await instanceStatus(runtime, g));
  if (ctx.opts.json) printJson(ctx.out, list.length === 1 ? statuses[0] : statuses);
  else for (const s of statuses) ctx.out.stdout(statusText(ctx.out, s));
  // Healthy by Iguana's own account, so a bootstrap done by hand counts too.
  const healthy = (s: IguanaInstanceStatus) =>
    s.state === 'running' &&
    s.coins.every((c) => c.added && c.dpow !== false) &&
    s.unlock !== null &&
    !s.unlock.expired;
  return statuses.every(healthy) ? ExitCode.ok : ExitCode.failure;
}
