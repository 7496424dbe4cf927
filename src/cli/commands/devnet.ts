/**
 * `dokomodo devnet up|down|status` and `dokomodo demo`: the built-in simulator of komodod and
 * Iguana, labelled as such everywhere.
 */
import { pidAlive } from '../../core/local.ts';
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { startDevnet, startIguana, type DevnetChainSpec, type IguanaSim } from '../../devnet/index.ts';
import { daemonEnv } from '../../core/child-env.ts';
import { DokomodoError, ExitCode } from '../../core/errors.ts';
import { nodeHost } from '../../core/host.ts';
import { registerSecret } from '../../core/redact.ts';
import { loadPlatformFile } from '../../platform/index.ts';
import type { Platform } from '../../platform/model.ts';
import { readSecret } from '../../platform/secret.ts';
import { selectEnvironment } from '../../platform/select.ts';
import { ensureConf, expandLocal, localChain } from '../../operator/daemon/local.ts';
import { fanout } from '../../operator/fanout.ts';
import { type LifecycleOptions, startChains, stopChains } from '../../operator/lifecycle.ts';
import { nodeRuntime, type Runtime } from '../../operator/runtime.ts';
import { collectStatus } from '../../operator/status.ts';
import { type Context, loadSelection } from '../context.ts';
import { paint, printDiagnostics } from '../output.ts';
import { devnetBinary, usableDir } from '../paths.ts';
import { statusTable } from './ops.ts';

const BANNER = 'dokomodo devnet — a SIMULATOR of komodod and Iguana (no real chain, no real coins)';

export interface DevnetUpOptions {
  datadir?: string;
  detach?: boolean;
  /** Seconds, parsed by the options (cli/options.ts). */
  blocktime?: number;
  warmup?: number;
}

function devnetDir(opts: { datadir?: string }): string {
  return resolve(expandLocal(opts.datadir ?? '~/.dokomodo/devnet'));
}

function readPid(dir: string): number | undefined {
  const f = join(dir, 'devnet.pid');
  if (!existsSync(f)) return undefined;
  const pid = Number(readFileSync(f, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && pidAlive(pid) ? pid : undefined;
}

/** The devnet spec of every selected chain, with confs written from the derived credentials. */
function devnetSpecs(
  platform: Platform,
  chains: Platform['chains'],
  secret: string,
  dir: string,
  blockTimeMs: number,
): DevnetChainSpec[] {
  return chains.map((chain) => {
    const lc = localChain(chain, { datadir: dir });
    ensureConf(lc, platform, secret);
    const spec: DevnetChainSpec = {
      name: chain.kind === 'assetchain' ? chain.acName! : 'KMD',
      params: chain.kind === 'assetchain' ? chain.params : {},
      datadir: lc.datadir,
      rpcport: chain.rpc,
      blockTimeMs,
    };
    if (chain.kind !== 'assetchain') {
      spec.conf = chain.confName;
      spec.port = chain.p2p;
    }
    if (platform.defaults.pubkey) spec.pubkey = platform.defaults.pubkey;
    return spec;
  });
}

export async function devnetUp(ctx: Context, opts: DevnetUpOptions): Promise<number> {
  const dir = devnetDir(opts);
  const running = readPid(dir);
  if (running !== undefined) {
    ctx.out.stdout(`devnet already running (pid ${running}) in ${dir}\n`);
    return ExitCode.ok;
  }
  const { platform, selection } = loadSelection(ctx);
  const secret = devnetSecret(platform);
  if (opts.detach) return detach(ctx, dir, secret);
  usableDir('--datadir', dir);
  const blockTimeMs = Math.round((opts.blocktime ?? 10) * 1000);
  const specs = devnetSpecs(platform, selection.chains, secret, dir, blockTimeMs);
  const igs = platform.iguana.filter((g) => g.coins.some((c) => selection.chains.some((x) => x.name === c)));
  ctx.out.stderr(`${paint(ctx.out, 'yellow', BANNER)}\n`);
  const devnet = await startDevnet({
    chains: specs,
    warmupMs: Math.round((opts.warmup ?? 0) * 1000),
    blockTimeMs,
    iguanas: igs.map((g) => ({
      port: g.port,
      mode: g.mode,
      seeds: platform.notaries.find((n) => n.name === g.notaries)?.seeds ?? [],
    })),
  });
  writeFileSync(join(dir, 'devnet.pid'), `${process.pid}\n`);
  writeFileSync(
    join(dir, 'devnet.json'),
    `${JSON.stringify({ pid: process.pid, chains: specs.length, iguana: igs.length, file: platform.file, ready: true })}\n`,
  );
  ctx.out.stdout(
    `devnet up: ${devnet.chains.length} simulated chains, ${devnet.iguanas.length} simulated Iguana instance(s), data in ${dir}\n`,
  );
  if (!ctx.opts.json) {
    const s = await collectStatus(nodeRuntime(platform, { secret }), selection.chains);
    ctx.out.stdout(statusTable(ctx.out, s.chains, s.iguana));
    ctx.out.stdout('Ctrl-C stops the devnet.\n');
  }
  await untilSignal();
  await devnet.stop();
  rmSync(join(dir, 'devnet.pid'), { force: true });
  rmSync(join(dir, 'devnet.json'), { force: true });
  ctx.out.stdout('devnet stopped\n');
  return ExitCode.ok;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

/** Names the descriptor on which a detached devnet gets the platform secret from its parent. */
const SECRET_FD_ENV = 'DOKOMODO_DEVNET_SECRET_FD';

/**
 * The platform secret: read as usual, or, in the detached devnet, from the pipe its parent wrote
 * it to, so that it never sits in the long-lived process's environment.
 */
function devnetSecret(platform: Platform): string {
  const fd = process.env[SECRET_FD_ENV];
  if (fd === undefined) return readSecret(platform, nodeHost());
  delete process.env[SECRET_FD_ENV];
  let value: string;
  try {
    value = readFileSync(Number(fd), 'utf8');
    closeSync(Number(fd));
  } catch (e) {
    throw new DokomodoError(
      'secret-missing',
      `the devnet could not read the platform secret from its parent (${(e as NodeJS.ErrnoException).code ?? e})`,
    );
  }
  registerSecret(value);
  return value;
}

async function detach(ctx: Context, dir: string, secret: string): Promise<number> {
  usableDir('--datadir', dir);
  const args = process.argv.slice(1).filter((a) => a !== '--detach');
  const log = openSync(join(dir, 'devnet.log'), 'w', 0o600);
  rmSync(join(dir, 'devnet.json'), { force: true });
  // Its own environment (ours holds the passphrase and the secret); the secret goes down a pipe.
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', log, log, 'pipe'],
    env: daemonEnv({
      NO_COLOR: '1',
      [SECRET_FD_ENV]: '3',
      DOKOMODO_FILE: resolve(ctx.opts.file),
    }),
  });
  closeSync(log);
  const pipe = child.stdio[3] as NodeJS.WritableStream | null;
  pipe?.on('error', () => {
    // the child died before reading it: reported below from its log
  });
  pipe?.end(secret);
  child.unref();
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (existsSync(join(dir, 'devnet.json'))) {
      ctx.out.stdout(
        `devnet running in the background (pid ${child.pid}); \`dokomodo devnet down\` stops it; log: ${join(dir, 'devnet.log')}\n`,
      );
      return ExitCode.ok;
    }
    if (child.exitCode !== null || (child.pid !== undefined && !pidAlive(child.pid))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail = existsSync(join(dir, 'devnet.log'))
    ? readFileSync(join(dir, 'devnet.log'), 'utf8').trim().split('\n').slice(-5).join('\n')
    : '';
  throw new DokomodoError('devnet-failed', `the devnet did not come up${tail ? `:\n${tail}` : ''}`, {
    hint: `see ${join(dir, 'devnet.log')}`,
  });
}

export async function devnetDown(ctx: Context, opts: { datadir?: string }): Promise<number> {
  const dir = devnetDir(opts);
  const pid = readPid(dir);
  if (pid === undefined) {
    ctx.out.stdout('devnet not running\n');
    return ExitCode.ok;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(join(dir, 'devnet.pid'), { force: true });
  ctx.out.stdout(`devnet stopped (pid ${pid})\n`);
  return ExitCode.ok;
}

export async function devnetStatus(ctx: Context, opts: { datadir?: string }): Promise<number> {
  const dir = devnetDir(opts);
  const pid = readPid(dir);
  if (pid === undefined) {
    if (ctx.opts.json) ctx.out.stdout(`${JSON.stringify({ running: false, simulator: true })}\n`);
    else ctx.out.stdout('devnet not running\n');
    return ExitCode.ok;
  }
  const info = JSON.parse(readFileSync(join(dir, 'devnet.json'), 'utf8')) as {
    chains: number;
    iguana: number;
    file: string;
  };
  if (ctx.opts.json) ctx.out.stdout(`${JSON.stringify({ running: true, simulator: true, pid, ...info })}\n`);
  else
    ctx.out.stdout(
      `${BANNER}\nrunning: pid ${pid}, ${info.chains} chains, ${info.iguana} Iguana instance(s), platform ${info.file}\n`,
    );
  return ExitCode.ok;
}

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
