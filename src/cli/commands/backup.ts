/**
 * `dokomodo backup`: one encrypted file of what the platform file and the passphrase cannot
 * rebuild (operator/backup.ts). The passphrase is checked against defaults.pubkey first, so a
 * typo never makes a backup nobody can open.
 */
import { createBackup } from '../../operator/backup.ts';
import { checkPubkey, notaryKeys } from '../../operator/keys.ts';
import { type Context, loadRuntime } from '../context.ts';
import { printJson } from '../output.ts';
import { backupDone, backupJson, backupProgress } from '../views/backup.ts';
import { type BackupKeyOptions, DOKOMODO_VERSION, readBackupKey } from './backup/common.ts';

export interface BackupCommandOptions extends BackupKeyOptions {
  out?: string;
  journalDir?: string;
  datadir?: string;
}

export async function backup(ctx: Context, opts: BackupCommandOptions): Promise<number> {
  const { platform, runtime } = await loadRuntime(ctx);
  const key = await readBackupKey(ctx, opts);
  if ('passphrase' in key) checkPubkey(platform, notaryKeys(key.passphrase, []).pubkey);
  const result = await createBackup(runtime, {
    key,
    version: DOKOMODO_VERSION,
    ...(opts.out !== undefined ? { out: opts.out } : {}),
    ...(opts.journalDir !== undefined ? { journalDir: opts.journalDir } : {}),
    ...(opts.datadir !== undefined ? { datadir: opts.datadir } : {}),
    onEvent: (e) => {
      if (!ctx.opts.json) ctx.out.stderr(backupProgress(ctx.out, e));
    },
  });
  if (ctx.opts.json) printJson(ctx.out, backupJson(result, key));
  else ctx.out.stdout(backupDone(ctx.out, result, key));
  return 0;
}
