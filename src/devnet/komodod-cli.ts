/**
 * The devnet `komodod` executable: takes komodod's command line, runs one simulated chain until
 * SIGTERM/SIGINT or the `stop` RPC, and exits non-zero with a komodod-like message when it cannot
 * start. Devnet-only options: `-devnet-warmup=SECONDS`, `-devnet-blocktime=SECONDS` (0 = blocks
 * only via the `devnet_mine` RPC), `-devnet-maturity=BLOCKS`, `-devnet-notarize-every=BLOCKS`,
 * `-devnet-save=SECONDS` (periodic state save), `-printtoconsole`.
 */
import { spawn } from 'node:child_process';
import { daemonEnv } from '../core/child-env.ts';
import { existsSync, readFileSync } from 'node:fs';
import { confGet, parseConf } from '../komodo/conf.ts';
import { parseLaunchArgs } from '../komodo/args.ts';
import { DevnetError, type LaunchSpec, launchChain, resolvePaths } from './launch.ts';
import { DEVNET_VERSION } from './rpc-methods.ts';

/** komodod's GetBoolArg: a bare flag is true, otherwise atoi(value) != 0. */
function flag(v: string | undefined): boolean {
  if (v === undefined) return false;
  return v === '' || (Number.parseInt(v, 10) || 0) !== 0;
}

/** komodod's atoi-style integer option; undefined when absent. */
function intOpt(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  return Number.parseInt(v.trim(), 10) || 0;
}

function secondsOpt(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 1000) : undefined;
}

export interface KomododIo {
  env: NodeJS.ProcessEnv;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Re-runs this program detached for -daemon; returns when the child is spawned. */
  daemonize: (argv: string[]) => void;
}

const USAGE = `dokomodo devnet komodod ${DEVNET_VERSION}: a simulator of komodod (not a real node)

Usage: komodod [-ac_name=NAME -ac_*=…] [-datadir=DIR] [-conf=FILE] [-pubkey=HEX] [-port=N]
               [-rpcport=N] [-pid=FILE] [-addnode=IP] [-daemon]
               [-devnet-warmup=SECONDS] [-devnet-blocktime=SECONDS] [-devnet-maturity=BLOCKS]
               [-devnet-notarize-every=BLOCKS] [-devnet-save=SECONDS] [-printtoconsole]
`;

/**
 * Runs the executable. Resolves with the exit code once the chain has stopped (or at once on
 * errors and after daemonizing).
 */
export async function runKomodod(argv: readonly string[], io: KomododIo): Promise<number> {
  const args = parseLaunchArgs(argv);
  const o = args.options;
  if (o['?'] !== undefined || o['h'] !== undefined || o['help'] !== undefined) {
    io.stdout(USAGE);
    return 0;
  }
  if (o['version'] !== undefined) {
    io.stdout(`dokomodo devnet komodod ${DEVNET_VERSION} (simulator)\n`);
    return 0;
  }
  const name = args.name === '' ? 'KMD' : args.name;
  if (args.name === 'KMD') {
    io.stderr('Error: -ac_name=KMD is not allowed\n');
    return 1;
  }
  const home = io.env['HOME'] ?? '/';
  const paths = resolvePaths({ name, datadir: o['datadir'], home, conf: o['conf'] });

  // -daemon on the command line, or daemon=1 in the conf (the command line wins)
  let daemon = flag(o['daemon']);
  if (o['daemon'] === undefined && existsSync(paths.confPath)) {
    daemon = flag(confGet(parseConf(readFileSync(paths.confPath, 'utf8')), 'daemon'));
  }
  if (daemon) {
    io.daemonize([...argv, '-daemon=0']);
    io.stdout(`${name === 'KMD' ? 'Komodo' : name} server starting\n`);
    return 0;
  }

  const spec: LaunchSpec = { name, params: args.params, home, pidFile: o['pid'] || 'komodod.pid' };
  if (o['datadir'] !== undefined) spec.datadir = o['datadir'];
  if (o['conf'] !== undefined) spec.conf = o['conf'];
  if (o['pubkey']) spec.pubkey = o['pubkey'];
  const port = intOpt(o['port']);
  if (port) spec.port = port;
  const rpcport = intOpt(o['rpcport']);
  if (rpcport) spec.rpcport = rpcport;
  const warm = secondsOpt(o['devnet-warmup']);
  if (warm !== undefined) spec.warmupMs = warm;
  const save = secondsOpt(o['devnet-save']);
  spec.saveIntervalMs = save ?? 10_000;
  const chain: NonNullable<LaunchSpec['chain']> = {};
  const bt = secondsOpt(o['devnet-blocktime']);
  if (bt !== undefined) chain.blockTimeMs = bt;
  const maturity = intOpt(o['devnet-maturity']);
  if (maturity !== undefined) chain.coinbaseMaturity = maturity;
  const every = intOpt(o['devnet-notarize-every']);
  if (every !== undefined) chain.notarizeEvery = every;
  spec.chain = chain;
  if (flag(o['printtoconsole'])) spec.log = (line) => io.stdout(`${line}\n`);

  let running: Awaited<ReturnType<typeof launchChain>>;
  try {
    running = await launchChain(spec);
  } catch (e) {
    io.stderr(`${e instanceof DevnetError ? e.message : `Error: ${(e as Error).message}`}\n`);
    return 1;
  }
  for (const node of args.addnode) running.chain.addedNodes.add(node);
  const onSignal = () => void running.stop();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await running.stopped;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  return 0;
}

/** Default I/O of the real executable. */
export function processIo(): KomododIo {
  return {
    env: process.env,
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    daemonize: (argv) => {
      const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...argv], {
        detached: true,
        stdio: 'ignore',
        env: daemonEnv(),
      });
      child.unref();
    },
  };
}
