/**
 * `dokomodo recover --host H`: a host rebuilt from the platform file and the wallet passphrase
 * (fence, deploy, chains, keys, iguana, utxo, verify), resumable, with the time of each phase.
 * The passphrase comes from --passphrase-stdin, DOKOMODO_PASSPHRASE or a hidden prompt.
 */
import { dirname, join, resolve } from 'node:path';
import { parseTargets } from '../../compiler/compile.ts';
import { bootstrapOrder } from '../../compiler/renderers/iguana.ts';
import { ExitCode, usageError } from '../../core/errors.ts';
import { expandUserPath } from '../../core/local.ts';
import { registerSecret } from '../../core/redact.ts';
import { deploy as deployHosts } from '../../operator/deploy.ts';
import { checkPubkey, notaryKeys } from '../../operator/keys.ts';
import { recover as recoverHost } from '../../operator/recover.ts';
import { DEFAULT_JOURNAL_DIR, fileJournal } from '../../operator/utxo.ts';
import type { ChainModel } from '../../platform/model.ts';
import { type Context, loadRuntime } from '../context.ts';
import { printJson } from '../output.ts';
import { usableDir } from '../paths.ts';
import { PASSPHRASE_ENV, readSecretInput } from '../secret-input.ts';
import { recoverEventLine, recoverReport } from '../views/recover.ts';
import { renderOptions, writeTree } from './render.ts';

export interface RecoverCliOptions {
  host: string;
  passphraseStdin?: boolean;
  fence?: boolean;
  fenceUnreachable?: boolean;
  deploy?: boolean;
  out?: string;
  extraVars?: string[];
  playbook?: string;
  journalDir?: string;
  /** Seconds. */
  wait?: number;
}

export async function recover(ctx: Context, opts: RecoverCliOptions): Promise<number> {
  const { platform, selection, runtime } = loadRuntime(ctx);
  const host = platform.hosts.find((h) => h.name === opts.host);
  if (!host)
    throw usageError(
      'unknown-host',
      `no host ${opts.host} in ${platform.file}`,
      `hosts: ${platform.hosts.map((h) => h.name).join(', ') || '(none)'}`,
    );
  const journalDir = opts.journalDir ?? DEFAULT_JOURNAL_DIR;
  usableDir('--journal-dir', expandUserPath(journalDir));
  const secret = runtime.secret();
  const passphrase = await readSecretInput({ stdin: opts.passphraseStdin === true, envVar: PASSPHRASE_ENV });
  registerSecret(passphrase);
  const chains = new Map<string, ChainModel>();
  for (const c of platform.chains) if (c.host === host.name) chains.set(c.name, c);
  for (const g of platform.iguana)
    if (g.host === host.name) for (const c of bootstrapOrder(platform, g)) chains.set(c.name, c);
  const keys = notaryKeys(passphrase, [...chains.values()]);
  checkPubkey(platform, keys.pubkey);
  const root = resolve(opts.out ?? join(dirname(resolve(platform.file)), 'out'));
  const json = ctx.opts.json === true;
  const result = await recoverHost(runtime, {
    host,
    passphrase,
    keys,
    journal: fileJournal(journalDir),
    waitMs: (opts.wait ?? 60) * 1000,
    ...(opts.fence ? { fence: true } : {}),
    ...(opts.fenceUnreachable ? { fenceUnreachable: true } : {}),
    ...(opts.deploy === false
      ? {}
      : {
          deploy: () => {
            // The whole tree: the inventory lists every host for its groups and variables.
            writeTree(platform, selection, renderOptions(platform, secret, parseTargets('all')), root);
            return deployHosts(runtime, {
              root,
              hosts: [host],
              ...(opts.extraVars ? { extraVars: opts.extraVars } : {}),
              ...(opts.playbook ? { playbook: resolve(opts.playbook) } : {}),
            });
          },
        }),
    onEvent: (e) => {
      const line = recoverEventLine(ctx.out, e);
      if (line) (json ? ctx.out.stderr : ctx.out.stdout)(line);
    },
  });
  if (json) printJson(ctx.out, result);
  else ctx.out.stdout(recoverReport(ctx.out, result));
  return result.ok ? ExitCode.ok : ExitCode.failure;
}
