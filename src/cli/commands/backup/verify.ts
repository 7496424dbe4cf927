/** `dokomodo backup verify FILE`: decrypts the backup and checks every entry's sha256. */
import { resolve } from 'node:path';
import { verifyBackup } from '../../../operator/backup.ts';
import type { Context } from '../../context.ts';
import { printJson } from '../../output.ts';
import { verifyReport } from '../../views/backup.ts';
import { type BackupKeyOptions, readBackupKey } from './common.ts';

export async function backupVerify(ctx: Context, file: string, opts: BackupKeyOptions): Promise<number> {
  const key = await readBackupKey(ctx, opts);
  const r = await verifyBackup(resolve(file), key);
  if (ctx.opts.json) printJson(ctx.out, { ok: true, ...r });
  else ctx.out.stdout(verifyReport(ctx.out, r));
  return 0;
}
