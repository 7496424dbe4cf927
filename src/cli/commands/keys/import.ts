/**
 * `dokomodo keys import`: the notary key into every chain’s wallet. The passphrase comes from
 * --passphrase-stdin, DOKOMODO_PASSPHRASE or a hidden prompt, never from argv.
 */
import { ExitCode, usageError } from '../../../core/errors.ts';
import { selectChains } from '../../../platform/select.ts';
import { checkPubkey, importKeys, notaryKeys } from '../../../operator/keys.ts';
import { type Context, loadRuntime } from '../../context.ts';
import { paint, printJson } from '../../output.ts';
import { PASSPHRASE_ENV, readSecretInput } from '../../secret-input.ts';
import { importLine } from '../../views/keys.ts';

// ---- keys import ----------------------------------------------------------------------------
export interface KeysImportOptions {
  passphraseStdin?: boolean;
  /** Parsed by the option (cli/options.ts). */
  concurrency?: number;
  /** Seconds. */
  wait?: number;
}

export async function keysImport(ctx: Context, chains: string[], opts: KeysImportOptions): Promise<number> {
  const { platform, selection, runtime } = await loadRuntime(ctx);
  const targets = selectChains(platform, selection, chains);
  if (targets.length === 0) throw usageError('no-targets', 'no chains selected');
  const concurrency = opts.concurrency ?? 16;
  const warmupMs = (opts.wait ?? 60) * 1000;
  runtime.secret();
  const passphrase = await readSecretInput({ stdin: opts.passphraseStdin === true, envVar: PASSPHRASE_ENV });
  const keys = notaryKeys(passphrase, targets);
  checkPubkey(platform, keys.pubkey);
  const results = await importKeys(runtime, targets, {
    keys,
    concurrency,
    warmupMs,
    onEvent: (e) => {
      if (!ctx.opts.verbose) return;
      if (e.type === 'retry')
        ctx.out.stderr(
          paint(ctx.out, 'dim', `  … ${e.chain}: ${e.method}: ${e.message}, retry in ${e.delayMs} ms\n`),
        );
    },
    onResult: (r) => {
      if (!ctx.opts.json) ctx.out.stdout(importLine(ctx.out, r));
    },
  });
  const count = (s: string) => results.filter((r) => r.ok && r.result!.state === s).length;
  const failed = results.filter((r) => !r.ok).length;
  if (ctx.opts.json) {
    printJson(ctx.out, {
      pubkey: keys.pubkey,
      results: results.map((r) => ({
        chain: r.target,
        ok: r.ok,
        address: keys.byChain.get(r.target)!.address,
        ...(r.ok ? { state: r.result!.state } : { state: 'failed', error: r.error }),
        ms: Math.round(r.durationMs),
      })),
      summary: { imported: count('imported'), already: count('already'), failed, total: results.length },
    });
  } else {
    ctx.out.stdout(
      `keys import: ${count('imported')} imported, ${count('already')} already there, ${failed} failed (pubkey ${keys.pubkey})\n`,
    );
  }
  return failed > 0 ? ExitCode.failure : ExitCode.ok;
}
