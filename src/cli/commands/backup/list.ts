/** `dokomodo backup list [DIR]`: the backups of a directory from their headers (with a key: their entries too). */
import { DokomodoError } from '../../../core/errors.ts';
import { DEFAULT_BACKUP_DIR, listBackups, verifyBackup } from '../../../operator/backup.ts';
import type { Context } from '../../context.ts';
import { printJson } from '../../output.ts';
import { type ListedRow, listTable } from '../../views/backup.ts';
import { type BackupKeyOptions, readBackupKey } from './common.ts';

export async function backupList(
  ctx: Context,
  dir: string | undefined,
  opts: BackupKeyOptions,
): Promise<number> {
  const listed = listBackups(dir ?? DEFAULT_BACKUP_DIR);
  const inherited = ctx.opts as BackupKeyOptions;
  const withKey =
    [opts.keyFile, inherited.keyFile].some((k) => k !== undefined) ||
    [opts.passphraseStdin, inherited.passphraseStdin].includes(true);
  const key = withKey ? await readBackupKey(ctx, opts) : undefined;
  const rows: ListedRow[] = [];
  for (const l of listed) {
    const row: ListedRow = { ...l };
    if (key && !l.problem) {
      try {
        row.entries = (await verifyBackup(l.file, key)).entries.length;
      } catch (e) {
        if (!(e instanceof DokomodoError)) throw e;
        row.problem = { code: e.code, message: e.message };
      }
    }
    rows.push(row);
  }
  if (ctx.opts.json) printJson(ctx.out, { dir: dir ?? DEFAULT_BACKUP_DIR, backups: rows });
  else ctx.out.stdout(listTable(ctx.out, rows, withKey));
  return 0;
}
