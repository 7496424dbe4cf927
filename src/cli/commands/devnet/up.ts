/** `dokomodo devnet up`: the simulator of every selected chain and Iguana instance, in the foreground or detached. */
import { pidAlive } from '../../../core/local.ts';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDevnet, type DevnetChainSpec } from '../../../devnet/index.ts';
import { daemonEnv } from '../../../core/child-env.ts';
import { DokomodoError, ExitCode } from '../../../core/errors.ts';
import { nodeHost } from '../../../core/host.ts';
import { registerSecret } from '../../../core/redact.ts';
import type { Platform } from '../../../platform/model.ts';
import { readSecret } from '../../../platform/secret.ts';
import { ensureConf, localChain } from '../../../operator/daemon/local.ts';
import { nodeRuntime } from '../../../operator/runtime.ts';
import { collectStatus } from '../../../operator/status.ts';
import { type Context, loadSelection } from '../../context.ts';
import { paint } from '../../output.ts';
import { usableDir } from '../../paths.ts';
import { statusTable } from '../../views/status.ts';
import { BANNER, devnetDir, readPid } from './common.ts';

export interface DevnetUpOptions {
  datadir?: string;
  detach?: boolean;
  /** Seconds, parsed by the options (cli/options.ts). */
  blocktime?: number;
  warmup?: number;
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
  const { platform, selection } = await loadSelection(ctx);
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
