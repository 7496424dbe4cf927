/**
 * `dokomodo recover --host H`: a host rebuilt from the platform file and the wallet passphrase
 * (fence, deploy, chains, keys, iguana, utxo, verify), resumable, with the time of each phase.
 * The passphrase comes from --passphrase-stdin, DOKOMODO_PASSPHRASE or a hidden prompt.
 *
 * `--rehearse`: the same phases on this machine against the devnet, in a throw-away directory,
 * with a throw-away notary key and secret (operator/rehearse.ts); nothing of production is
 * touched or needed, not even the passphrase.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseTargets } from '../../compiler/compile.ts';
import { bootstrapOrder } from '../../compiler/renderers/iguana.ts';
import { ExitCode, usageError } from '../../core/errors.ts';
import { expandUserPath } from '../../core/local.ts';
import { registerSecret } from '../../core/redact.ts';
import { electedFile } from '../../komodo/iguana.ts';
import { deploy as deployHosts } from '../../operator/deploy.ts';
import { checkPubkey, notaryKeys } from '../../operator/keys.ts';
import { type RecoverOptions, type RecoverResult, recover as recoverHost } from '../../operator/recover.ts';
import {
  checkRehearsalPorts,
  endRehearsal,
  rehearsalPassphrase,
  rehearsalPlatform,
} from '../../operator/rehearse.ts';
import { nodeRuntime } from '../../operator/runtime.ts';
import { DEFAULT_JOURNAL_DIR, fileJournal } from '../../operator/utxo.ts';
import type { ChainModel, HostModel, Platform } from '../../platform/model.ts';
import { selectEnvironment } from '../../platform/select.ts';
import { type Context, loadRuntime } from '../context.ts';
import { printJson } from '../output.ts';
import { devnetBinary, devnetIguanaBinary, usableDir } from '../paths.ts';
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
  consolidate?: boolean;
  rehearse?: boolean;
  keep?: boolean;
  /** Seconds. */
  wait?: number;
}

/** The chains whose keys a host needs: its own and every coin its Iguana instances bootstrap. */
function keyedChains(platform: Platform, host: HostModel): ChainModel[] {
  const chains = new Map<string, ChainModel>();
  for (const c of platform.chains) if (c.host === host.name) chains.set(c.name, c);
  for (const g of platform.iguana)
    if (g.host === host.name) for (const c of bootstrapOrder(platform, g)) chains.set(c.name, c);
  return [...chains.values()];
}

export async function recover(ctx: Context, opts: RecoverCliOptions): Promise<number> {
  const { platform, selection, runtime } = await loadRuntime(ctx);
  const host = platform.hosts.find((h) => h.name === opts.host);
  if (!host)
    throw usageError(
      'unknown-host',
      `no host ${opts.host} in ${platform.file}`,
      `hosts: ${platform.hosts.map((h) => h.name).join(', ') || '(none)'}`,
    );
  if (opts.rehearse) return rehearse(ctx, platform, host, opts);
  const journalDir = opts.journalDir ?? DEFAULT_JOURNAL_DIR;
  usableDir('--journal-dir', expandUserPath(journalDir));
  const secret = runtime.secret();
  const passphrase = await readSecretInput({ stdin: opts.passphraseStdin === true, envVar: PASSPHRASE_ENV });
  registerSecret(passphrase);
  const keys = notaryKeys(passphrase, keyedChains(platform, host));
  checkPubkey(platform, keys.pubkey);
  const root = resolve(opts.out ?? join(dirname(resolve(platform.file)), 'out'));
  const result = await recoverHost(runtime, {
    host,
    passphrase,
    keys,
    journal: fileJournal(journalDir),
    ...common(ctx, opts),
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
  });
  return report(ctx, result);
}

function common(
  ctx: Context,
  opts: RecoverCliOptions,
): Pick<RecoverOptions, 'waitMs' | 'fence' | 'fenceUnreachable' | 'consolidate' | 'onEvent'> {
  const json = ctx.opts.json === true;
  return {
    waitMs: (opts.wait ?? 60) * 1000,
    ...(opts.fence ? { fence: true } : {}),
    ...(opts.fenceUnreachable ? { fenceUnreachable: true } : {}),
    ...(opts.consolidate ? { consolidate: true } : {}),
    onEvent: (e) => {
      const line = recoverEventLine(ctx.out, e);
      if (line) (json ? ctx.out.stderr : ctx.out.stdout)(line);
    },
  };
}

function report(ctx: Context, result: RecoverResult): number {
  if (ctx.opts.json) printJson(ctx.out, result);
  else ctx.out.stdout(recoverReport(ctx.out, result));
  return result.ok ? ExitCode.ok : ExitCode.failure;
}

async function rehearse(
  ctx: Context,
  platform: Platform,
  host: HostModel,
  opts: RecoverCliOptions,
): Promise<number> {
  const komodod = devnetBinary();
  const iguana = devnetIguanaBinary();
  const dir = mkdtempSync(join(tmpdir(), 'dokomodo-rehearse-'));
  const passphrase = rehearsalPassphrase();
  const secret = randomBytes(32).toString('hex');
  registerSecret(passphrase);
  registerSecret(secret);
  const pubkey = notaryKeys(passphrase, []).pubkey;
  const plan = rehearsalPlatform(platform, host.name, dir, pubkey);
  const rt = nodeRuntime(plan.platform, { secret, stateDir: join(dir, 'state') });
  ctx.out.stderr(
    `rehearsal of recover --host ${host.name} in ${dir} (devnet, a throw-away key; no production host is touched)\n`,
  );
  try {
    await checkRehearsalPorts(plan);
    const keys = notaryKeys(passphrase, plan.chains);
    const selection = selectEnvironment(plan.platform, undefined);
    const result = await recoverHost(rt, {
      host: plan.host,
      passphrase,
      keys,
      journal: fileJournal(join(dir, 'utxo')),
      devnet: { komodod, iguana, extraArgs: ['-devnet-blocktime=1', '-devnet-maturity=1'] },
      ...common(ctx, { ...opts, consolidate: true }),
      deploy: async () => {
        const t0 = performance.now();
        // What deploy installs for an Iguana, done here: the render proves the tree is whole; the
        // rehearsal installs the instances' working directories and elected files itself.
        const written = writeTree(
          plan.platform,
          selection,
          renderOptions(plan.platform, secret, parseTargets('all')),
          join(dir, 'out'),
        );
        for (const g of plan.instances) {
          mkdirSync(g.workdir, { recursive: true });
          const list = plan.platform.notaries.find((n) => n.name === g.notaries)!;
          rt.writeFile(
            join(g.workdir, g.mode === 'main' ? 'elected' : '3rd_party'),
            `${JSON.stringify(electedFile(list), null, 2)}\n`,
            { mode: 0o644 },
          );
        }
        return [
          {
            host: plan.host.name,
            engine: 'ansible' as const,
            state: 'applied' as const,
            changed: written.plan.changes.filter((c) => c.kind !== 'unchanged').length,
            durationMs: performance.now() - t0,
            message: `rendered into ${dir}/out; a rehearsal does not run Ansible`,
          },
        ];
      },
    });
    return report(ctx, {
      ...result,
      host: `${result.host} (rehearsal)`,
      statePath: opts.keep ? result.statePath : `${result.statePath} (removed with the rehearsal)`,
    });
  } finally {
    await endRehearsal(rt, plan);
    await rt.close();
    if (opts.keep) ctx.out.stderr(`rehearsal kept in ${dir} (its daemons are stopped)\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
