/**
 * `dokomodo restore FILE`: decrypts and checks the whole backup, then writes each file atomically
 * with its mode; a different file in the way is kept unless --force (then as FILE.bak-<time>).
 * Needs no platform file: the backup holds it.
 */
import { resolve } from 'node:path';
import { writeFileAtomic } from '../../core/atomic.ts';
import { ExitCode } from '../../core/errors.ts';
import { restoreBackup } from '../../operator/backup.ts';
import type { Context } from '../context.ts';
import { printJson } from '../output.ts';
import { restoreJson, restoreReport } from '../views/backup.ts';
import { type BackupKeyOptions, readBackupKey } from './backup/common.ts';

export interface RestoreCommandOptions extends BackupKeyOptions {
  dryRun?: boolean;
  force?: boolean;
  /** Parsed by the option (cli/options.ts). */
  extract?: string;
}

export async function restore(ctx: Context, file: string, opts: RestoreCommandOptions): Promise<number> {
  const key = await readBackupKey(ctx, opts);
  const items = await restoreBackup(resolve(file), {
    key,
    dryRun: opts.dryRun === true,
    force: opts.force === true,
    ...(opts.extract !== undefined ? { extract: opts.extract } : {}),
    writeFile: writeFileAtomic,
  });
  const dryRun = opts.dryRun === true;
  if (ctx.opts.json) printJson(ctx.out, restoreJson(items, dryRun));
  else ctx.out.stdout(restoreReport(ctx.out, items, dryRun));
  // A dry run says whether the real one would go through: not with a different file in the way.
  const blocked = dryRun && opts.force !== true && items.some((i) => i.action === 'replace');
  return blocked ? ExitCode.failure : ExitCode.ok;
}
