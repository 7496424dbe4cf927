/** `dokomodo iguana up`: bootstrap (or resume) Iguana instances. */
import { ExitCode } from '../../../core/errors.ts';
import type { ChainModel } from '../../../platform/model.ts';
import { bootstrapOrder } from '../../../compiler/renderers/iguana.ts';
import { iguanaUp as instanceUp, type UpResult } from '../../../operator/iguana.ts';
import { fenceCheck } from '../../../operator/fence.ts';
import { checkPubkey, notaryKeys } from '../../../operator/keys.ts';
import { type Context, loadRuntime } from '../../context.ts';
import { paint, printJson } from '../../output.ts';
import { PASSPHRASE_ENV, readSecretInput } from '../../secret-input.ts';
import { instances } from './instances.ts';
import { eventLine } from '../../views/iguana.ts';

export interface IguanaUpOptions {
  passphraseStdin?: boolean;
  fence?: boolean;
  fenceUnreachable?: boolean;
  datadir?: string;
  /** Seconds, parsed by the option. */
  wait?: number;
}

export async function iguanaUp(
  ctx: Context,
  name: string | undefined,
  opts: IguanaUpOptions,
): Promise<number> {
  const { platform, selection, runtime } = await loadRuntime(ctx);
  const list = instances(platform, selection, name);
  const waitMs = (opts.wait ?? 60) * 1000;
  runtime.secret();
  const passphrase = await readSecretInput({ stdin: opts.passphraseStdin === true, envVar: PASSPHRASE_ENV });
  const chains = new Map<string, ChainModel>();
  for (const g of list) for (const c of bootstrapOrder(platform, g)) chains.set(c.name, c);
  const keys = notaryKeys(passphrase, [...chains.values()]);
  checkPubkey(platform, keys.pubkey);
  // Never two signers with one key: no Iguana of these modes may run on another host.
  for (const host of new Set(list.map((g) => g.host))) {
    await fenceCheck(runtime, {
      instances: list.filter((g) => g.host === host),
      target: host,
      ...(opts.fence ? { fence: true } : {}),
      ...(opts.fenceUnreachable ? { fenceUnreachable: true } : {}),
      onEvent: (f) =>
        ctx.out.stderr(
          f.action === 'accepted-unreachable'
            ? `fence: ${f.host} not reachable (${f.reason}); taken as down (--fence-unreachable)\n`
            : `fence: ${f.host}: Iguana pid ${f.pid} (${f.args}) ${f.action}\n`,
        ),
    });
  }
  const results: UpResult[] = [];
  for (const g of list) {
    if (!ctx.opts.json && list.length > 1) ctx.out.stdout(`${paint(ctx.out, 'bold', `iguana ${g.name}`)}\n`);
    const r = await instanceUp({
      runtime,
      instance: g,
      passphrase,
      keys,
      waitMs,
      ...(opts.datadir !== undefined ? { datadir: opts.datadir } : {}),
      onEvent: (e) => {
        // Retries are progress, not data: on stderr with --verbose, also beside --json.
        if (e.type === 'retry') ctx.out.stderr(eventLine(ctx, e));
        else if (!ctx.opts.json) ctx.out.stdout(eventLine(ctx, e));
      },
    });
    results.push(r);
    if (!ctx.opts.json) {
      const n = (s: string) => r.steps.filter((x) => x.state === s).length;
      const head = r.ok
        ? paint(ctx.out, 'green', 'ready')
        : paint(ctx.out, 'red', 'stopped at a failed step');
      ctx.out.stdout(
        `iguana ${g.name} (${r.endpoint}): ${head}: ${n('done')} done, ${n('skipped')} skipped (finished earlier), ${n('failed')} failed, ${n('pending')} pending\n`,
      );
      if (r.error && !r.steps.some((s) => s.state === 'failed')) {
        ctx.out.stderr(`${paint(ctx.out, 'red', 'error')} ${r.error.code}: ${r.error.message}\n`);
        if (r.error.hint) ctx.out.stderr(`  hint: ${r.error.hint}\n`);
      }
    }
  }
  if (ctx.opts.json) printJson(ctx.out, list.length === 1 ? results[0] : results);
  return results.every((r) => r.ok) ? ExitCode.ok : ExitCode.failure;
}
