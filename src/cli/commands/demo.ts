/** `dokomodo demo`: the example dev platform on the devnet, started, shown live, stopped on Ctrl-C. */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { startIguana, type IguanaSim } from '../../devnet/index.ts';
import { DokomodoError, ExitCode } from '../../core/errors.ts';
import { registerSecret } from '../../core/redact.ts';
import { loadPlatformFile } from '../../platform/index.ts';
import type { Platform } from '../../platform/model.ts';
import { selectEnvironment } from '../../platform/select.ts';
import { expandLocal } from '../../operator/daemon/local.ts';
import { fanout } from '../../operator/fanout.ts';
import { type LifecycleOptions, startChains, stopChains } from '../../operator/lifecycle.ts';
import { nodeRuntime, type Runtime } from '../../operator/runtime.ts';
import { collectStatus } from '../../operator/status.ts';
import type { Context } from '../context.ts';
import { paint, printDiagnostics } from '../output.ts';
import { devnetBinary, usableDir } from '../paths.ts';
import { statusTable } from '../views/status.ts';
import { BANNER } from './devnet/common.ts';

// ---- demo
export interface DemoOptions {
  datadir?: string;
  once?: boolean;
  /** Seconds, parsed by the option. */
  interval?: number;
}

/** The secret of the demo: DOKOMODO_SECRET if set, else one generated once and kept (0600) in the demo directory. */
function demoSecret(dir: string): string {
  const fromEnv = process.env['DOKOMODO_SECRET'];
  if (fromEnv) {
    registerSecret(fromEnv);
    return fromEnv;
  }
  const file = join(dir, 'secret');
  if (!existsSync(file)) {
    writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  const secret = readFileSync(file, 'utf8').trim();
  registerSecret(secret);
  return secret;
}

/**
 * The demo's notary key: the published test passphrase of the project's key vectors, so the
 * simulated chains can notarize. Only ever used against the devnet.
 */
const DEMO_PASSPHRASE = 'myverysecretandstrongpassphrase_noneabletobrute';

const DEMO_PUBKEY = '02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1';

async function importDemoKey(rt: Runtime, chains: Platform['chains']): Promise<void> {
  const { deriveKeys } = await import('../../komodo/keys.ts');
  const keys = deriveKeys(
    DEMO_PASSPHRASE,
    chains.map((c) => c.coin),
  );
  await fanout(
    chains.map((c) => c.name),
    async (name) => {
      const chain = chains.find((c) => c.name === name)!;
      const client = rt.clients.chain(chain);
      try {
        await client.call('importprivkey', [keys.coins[chain.coin.symbol]!.wif, '', false]);
      } finally {
        await client.close();
      }
    },
    { concurrency: 16 },
  );
}

export async function demo(ctx: Context, opts: DemoOptions): Promise<number> {
  const dir = resolve(expandLocal(opts.datadir ?? '~/.dokomodo/demo'));
  usableDir('--datadir', dir);
  let file = ctx.opts.file;
  if (file === 'dokomodo.yaml' && !existsSync(file)) {
    // No platform file here: the embedded example, written next to the demo data so errors have a place.
    const { default: devYaml } = await import('../../../examples/dev.yaml');
    file = join(dir, 'dokomodo.yaml');
    writeFileSync(file, devYaml);
  }
  const loaded = loadPlatformFile(file);
  printDiagnostics(ctx.out, loaded.diagnostics);
  if (!loaded.platform)
    throw new DokomodoError('invalid-platform', `${file} has errors`, {
      hint: 'fix them, or run the demo without -f',
    });
  const platform = loaded.platform;
  const selection = selectEnvironment(platform, ctx.opts.env);
  const secret = demoSecret(dir);
  ctx.out.stdout(`${paint(ctx.out, 'yellow', BANNER)}\nplatform ${file}, data in ${dir}\n\n`);
  const runtime = nodeRuntime(platform, { secret });
  const lifecycle: LifecycleOptions = {
    devnet: {
      bin: devnetBinary(),
      extraArgs: ['-devnet-blocktime=2', '-devnet-notarize-every=3', '-devnet-maturity=1'],
    },
    datadir: dir,
  };
  // Ctrl-C from here on stops what the demo started instead of leaving detached chains behind.
  let stopping = false;
  const onSignal = () => {
    stopping = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = await startChains(runtime, selection.chains, {
    ...lifecycle,
    onEvent: (e) => {
      if (e.type !== 'started') return;
      const r = e.result;
      ctx.out.stdout(
        r.ok
          ? `${paint(ctx.out, 'green', '✓')} ${r.target} ${r.result!.state.replace('-', ' ')} (${(r.durationMs / 1000).toFixed(1)} s)\n`
          : `${paint(ctx.out, 'red', '✗')} ${r.target}: ${r.error!.code}: ${r.error!.message}\n`,
      );
    },
  });
  if (!stopping && platform.defaults.pubkey === DEMO_PUBKEY && started.some((r) => r.ok)) {
    await importDemoKey(
      runtime,
      selection.chains.filter((c) => started.some((r) => r.ok && r.target === c.name)),
    );
  }
  const igs: IguanaSim[] = [];
  for (const g of platform.iguana.filter((x) =>
    x.coins.some((c) => selection.chains.some((y) => y.name === c)),
  )) {
    try {
      igs.push(
        await startIguana({
          port: g.port,
          mode: g.mode,
          notaries: platform.notaries.find((n) => n.name === g.notaries)?.notaries ?? [],
        }),
      );
    } catch (e) {
      ctx.out.stderr(`${paint(ctx.out, 'yellow', 'warning')} iguana ${g.name}: ${(e as Error).message}\n`);
    }
  }
  const stopAll = async () => {
    stopping = true;
    await Promise.all(igs.map((g) => g.close()));
    await stopChains(runtime, selection.chains, { datadir: dir, concurrency: 16 });
  };
  try {
    const interval = (opts.interval ?? 5) * 1000;
    while (!stopping) {
      const s = await collectStatus(runtime, selection.chains);
      if (process.stdout.isTTY && !opts.once)
        ctx.out.stdout(`\x1b[2J\x1b[H${paint(ctx.out, 'yellow', BANNER)}\n\n`);
      ctx.out.stdout(statusTable(ctx.out, s.chains, s.iguana));
      if (opts.once) break;
      ctx.out.stdout(
        paint(
          ctx.out,
          'dim',
          `refreshing every ${interval / 1000} s — Ctrl-C stops the demo and its chains\n`,
        ),
      );
      const end = Date.now() + interval;
      while (!stopping && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      if (stopping) break;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    ctx.out.stdout('stopping the demo chains…\n');
    await stopAll();
    ctx.out.stdout('demo stopped\n');
  }
  return started.every((r) => r.ok) ? ExitCode.ok : ExitCode.failure;
}
