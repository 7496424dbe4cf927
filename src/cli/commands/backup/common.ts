/** The key of a backup, as `backup`, `backup list|verify` and `restore` read it. */
import { usageError } from '../../../core/errors.ts';
import type { BackupKey } from '../../../operator/backup.ts';
import type { Context } from '../../context.ts';
import { PASSPHRASE_ENV, readSecretInput } from '../../secret-input.ts';

export interface BackupKeyOptions {
  passphraseStdin?: boolean;
  /** Parsed by the option (cli/options.ts). */
  keyFile?: string;
}

/**
 * The backup key file when one is given, else the wallet passphrase (--passphrase-stdin,
 * DOKOMODO_PASSPHRASE or a hidden prompt; registered for redaction as it is read).
 */
export async function readBackupKey(ctx: Context, own: BackupKeyOptions): Promise<BackupKey> {
  // `backup verify F --passphrase-stdin`: commander gives the option to `backup`, which declares
  // it too; the command's options with its parents' (ctx.opts) hold it either way.
  const inherited = ctx.opts as BackupKeyOptions;
  const opts: BackupKeyOptions = {
    passphraseStdin: own.passphraseStdin === true || inherited.passphraseStdin === true,
    ...((own.keyFile ?? inherited.keyFile) !== undefined
      ? { keyFile: own.keyFile ?? inherited.keyFile }
      : {}),
  };
  if (opts.keyFile !== undefined) {
    if (opts.passphraseStdin)
      throw usageError(
        'bad-option',
        '--key-file and --passphrase-stdin exclude each other',
        'a backup is encrypted with one of them: give the one it was made with',
      );
    return { keyFile: opts.keyFile };
  }
  const passphrase = await readSecretInput({ stdin: opts.passphraseStdin === true, envVar: PASSPHRASE_ENV });
  return { passphrase };
}

/** The version written into a backup's header. */
declare const __DOKOMODO_VERSION__: string;
export const DOKOMODO_VERSION = typeof __DOKOMODO_VERSION__ === 'string' ? __DOKOMODO_VERSION__ : '0.0.0-dev';
