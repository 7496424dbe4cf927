/**
 * Local daemon control: start and stop chain daemons as processes on this machine, with the
 * computed arguments, a conf whose credentials are derived from the platform secret, readiness
 * by RPC (not sleeps), and a clean stop (RPC `stop`, wait, then signals). Both are idempotent.
 * systemd, compose and kubectl back-ends implement the same `DaemonBackend` interface later.
 */
import { writeFileAtomic } from '../../core/atomic.ts';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { basename, join } from 'node:path';
import { chainConfText } from '../../compiler/renderers/conf.ts';
import { daemonEnv } from '../../core/child-env.ts';
import { DokomodoError } from '../../core/errors.ts';
import { expandUserPath, makeDirs, pidAlive } from '../../core/local.ts';
import { komodoUserPass } from '../../komodo/conf.ts';
import { rpcCredentials } from '../../komodo/creds.ts';
import type { ChainModel, Platform } from '../../platform/model.ts';
import { RpcError, type RpcEvent } from '../rpc/client.ts';
import type { Runtime } from '../runtime.ts';

export type StartState = 'started' | 'already-running';
export type StopState = 'stopped' | 'not-running' | 'killed';

export type DaemonEvent =
  | { type: 'spawned'; chain: string; pid: number }
  | { type: 'waiting'; chain: string; message: string }
  | { type: 'stale-pid'; chain: string; pid: number }
  | { type: 'signal'; chain: string; signal: NodeJS.Signals };

export interface LocalOptions {
  /** The platform, its secret and the one client factory. */
  runtime: Runtime;
  /** Run dokomodo's simulator instead of komodod (the devnet). */
  devnet?: boolean;
  /** Rebase every chain's data directory under this directory (KMD in it, NAME/ for the others). */
  datadir?: string;
  /** Extra daemon arguments (e.g. the devnet's -devnet-warmup=SECONDS). */
  extraArgs?: readonly string[];
  /** The devnet executable (dist/komodod.js); required with `devnet`. */
  devnetBin?: string;
  onEvent?: (e: DaemonEvent) => void;
  onRpcEvent?: (e: RpcEvent) => void;
}

/** Where a chain lives on this machine. */
export interface LocalChain {
  chain: ChainModel;
  datadir: string;
  conf: string;
  pidFile: string;
  logFile: string;
}

/** `~` expanded on this machine (kept under its old name for the commands that import it). */
export const expandLocal = expandUserPath;

export function localChain(chain: ChainModel, opts: Pick<LocalOptions, 'datadir'>): LocalChain {
  let datadir: string;
  if (opts.datadir !== undefined) {
    const base = expandLocal(opts.datadir);
    datadir = chain.kind === 'kmd' && chain.name === 'KMD' ? base : join(base, chain.name);
  } else {
    datadir = expandLocal(chain.datadir);
  }
  return {
    chain,
    datadir,
    conf: join(datadir, chain.confName),
    pidFile: join(datadir, chain.kind === 'coin' ? `${chain.coin.daemon}.pid` : 'komodod.pid'),
    logFile: join(datadir, 'dokomodo-daemon.log'),
  };
}

/** The pid in the pid file if that process runs and looks like a daemon; stale files are removed. */
export function runningPid(lc: LocalChain, onEvent?: (e: DaemonEvent) => void): number | undefined {
  if (!existsSync(lc.pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(lc.pidFile, 'utf8').trim(), 10);
  if (Number.isInteger(pid) && pid > 0 && pidAlive(pid) && looksLikeDaemon(pid)) return pid;
  if (Number.isInteger(pid)) onEvent?.({ type: 'stale-pid', chain: lc.chain.name, pid });
  try {
    unlinkSync(lc.pidFile);
  } catch {
    // already gone
  }
  return undefined;
}

function looksLikeDaemon(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /komodod|dokomodo|coind|litecoind|bitcoind|node/.test(cmd);
  } catch {
    return true; // no /proc: trust the pid file
  }
}

function portAnswers(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Whether a conf holds the chain's derived credentials and its RPC port (else it is not ours). */
export function confMatches(text: string, secret: string, chain: ChainModel): boolean {
  const creds = rpcCredentials(secret, chain.name);
  const up = komodoUserPass(text);
  return up.user === creds.user && up.password === creds.password && up.rpcport === chain.rpc;
}

/** The conf `render` writes for the chain: the bytes start writes, here or on its host. */
export function confText(platform: Platform, secret: string, chain: ChainModel): string {
  // The conf renderer reads only the platform, the secret and the source name of this context.
  const ctx = {
    platform,
    selection: { env: undefined, chains: platform.chains, hosts: platform.hosts },
    secret,
    source: basename(platform.file),
    hosts: [],
  };
  return chainConfText(ctx, chain);
}

/** Writes the chain's conf when missing; refuses one whose credentials are not the derived ones. */
export function ensureConf(lc: LocalChain, platform: Platform, secret: string): 'written' | 'kept' {
  if (existsSync(lc.conf)) {
    if (confMatches(readFileSync(lc.conf, 'utf8'), secret, lc.chain)) return 'kept';
    throw new DokomodoError(
      'conf-mismatch',
      `${lc.conf} has other RPC credentials or port than the ones derived from the platform secret`,
      {
        hint: 'it was written by something else or with another secret: move it away, or rerun `dokomodo render`',
      },
    );
  }
  try {
    makeDirs(lc.datadir, 0o700);
  } catch (e) {
    throw fsError(e, lc, 'create the data directory');
  }
  try {
    writeFileAtomic(lc.conf, confText(platform, secret, lc.chain), { mode: 0o600 });
  } catch (e) {
    throw fsError(e, lc, 'write its conf');
  }
  return 'written';
}

function fsError(e: unknown, lc: LocalChain, what: string): DokomodoError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'EROFS'
        ? 'read-only file system'
        : code === 'ENOTDIR'
          ? 'a parent is not a directory'
          : String(code ?? e);
  return new DokomodoError('datadir-unusable', `${lc.chain.name}: cannot ${what} in ${lc.datadir}: ${why}`, {
    hint: 'check the path and its owner, or pass --datadir',
  });
}

/**
 * The daemon arguments of a chain whose data lives in `datadir` (here or on its host): its launch
 * arguments, -datadir when it is not the daemon's default, -conf for a coin's own conf name, and
 * for the devnet's simulator the ports it cannot compute for third-party coins.
 */
export function daemonArgs(
  chain: ChainModel,
  datadir: string,
  opts: { rebased?: boolean; devnet?: boolean },
): string[] {
  const args = chain.launchArgs.filter((a) => !a.startsWith('-datadir='));
  if (opts.rebased || chain.customDatadir || chain.kind === 'coin') args.push(`-datadir=${datadir}`);
  if (chain.kind === 'coin') args.push(`-conf=${chain.confName}`);
  if (opts.devnet && (chain.kind === 'coin' || chain.portsOverridden))
    args.push(`-port=${chain.p2p}`, `-rpcport=${chain.rpc}`);
  return args;
}

/** The binary and arguments that start `lc`. */
export function command(lc: LocalChain, opts: LocalOptions): { file: string; args: string[] } {
  const { chain } = lc;
  const args = daemonArgs(chain, lc.datadir, {
    rebased: opts.datadir !== undefined,
    ...(opts.devnet ? { devnet: true } : {}),
  });
  if (opts.devnet) {
    if (!opts.devnetBin) throw new Error('devnetBin is required with devnet');
    return { file: process.execPath, args: [opts.devnetBin, ...args, ...(opts.extraArgs ?? [])] };
  }
  const name = chain.coin.daemon;
  const file = expandLocal(opts.runtime.platform.defaults.binaries[name] ?? name);
  return { file, args: [...args, ...(opts.extraArgs ?? [])] };
}

/**
 * Starts one chain and resolves when its RPC answers outside warm-up. The probe is `getblockcount`,
 * which komodod and every bitcoind-family daemon have (bitcoind and litecoind dropped `getinfo`).
 */
export async function startChain(
  lc: LocalChain,
  opts: LocalOptions,
): Promise<{ state: StartState; pid: number }> {
  const name = lc.chain.name;
  const existing = runningPid(lc, opts.onEvent);
  if (existing !== undefined) return { state: 'already-running', pid: existing };
  for (const [port, what] of [
    [lc.chain.rpc, 'RPC'],
    [lc.chain.p2p, 'p2p'],
  ] as const) {
    if (await portAnswers(port)) {
      throw new DokomodoError(
        'port-in-use',
        `${name}: its ${what} port ${port} is taken by another process`,
        {
          hint: `find it with \`ss -ltnp 'sport = :${port}'\`; stop it or give ${name} other ports`,
        },
      );
    }
  }
  ensureConf(lc, opts.runtime.platform, opts.runtime.secret());
  const { file, args } = command(lc, opts);
  const log = openSync(lc.logFile, 'a', 0o600);
  // An environment of its own: ours holds the passphrase and the platform secret.
  const child = spawn(file, args, {
    cwd: lc.datadir,
    detached: true,
    stdio: ['ignore', log, log],
    env: daemonEnv(),
  });
  closeSync(log);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      reject(
        code === 'ENOENT'
          ? new DokomodoError('binary-missing', `${name}: the daemon binary ${file} does not exist`, {
              hint: `install it, or set defaults.binaries.${lc.chain.coin.daemon} in the platform file (or use --devnet)`,
            })
          : new DokomodoError('spawn-failed', `${name}: could not start ${file}: ${code ?? e}`),
      );
    });
    child.once('exit', (code, signal) => {
      reject(
        new DokomodoError(
          'daemon-exited',
          `${name}: the daemon exited during start (${signal ?? `exit code ${code}`})${tail(lc.logFile)}`,
          {
            hint: `see ${lc.logFile} and the chain's debug.log`,
          },
        ),
      );
    });
  });
  exited.catch(() => {});
  child.unref();
  if (child.pid !== undefined) opts.onEvent?.({ type: 'spawned', chain: name, pid: child.pid });
  const timeoutMs = opts.runtime.platform.defaults.start.timeoutMs;
  const client = opts.runtime.clients.chain(lc.chain, {
    timeoutMs: 10_000,
    onEvent: (e) => {
      opts.onRpcEvent?.(e);
      const message = e.kind === 'transport' ? 'waiting for its RPC port to open' : e.message;
      opts.onEvent?.({ type: 'waiting', chain: name, message });
    },
  });
  try {
    await Promise.race([
      client.call('getblockcount', [], {
        retry: { deadlineMs: timeoutMs, initialDelayMs: 100, maxDelayMs: 2_000 },
      }),
      exited,
    ]);
  } catch (e) {
    if (!(e instanceof DokomodoError) && child.pid !== undefined && pidAlive(child.pid)) {
      // Not ready in time: leave nothing half-started behind.
      process.kill(child.pid, 'SIGTERM');
    }
    if (!(e instanceof DokomodoError) && !(e instanceof RpcError)) throw e;
    throw e instanceof DokomodoError
      ? e
      : new DokomodoError(
          'start-timeout',
          `${name}: RPC did not answer within ${Math.round(timeoutMs / 1000)} s (${(e as Error).message})`,
          {
            hint: 'raise defaults.start.timeout, or read the debug.log of the chain',
          },
        );
  } finally {
    await client.close();
  }
  return { state: 'started', pid: child.pid ?? 0 };
}

function tail(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
    return lines ? `: ${lines.slice(0, 400)}` : '';
  } catch {
    return '';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitExit(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!pidAlive(pid)) return true;
    await sleep(100);
  }
  return !pidAlive(pid);
}

/** Stops one chain: RPC `stop`, wait up to the stop timeout, then SIGTERM, then SIGKILL. */
export async function stopChain(lc: LocalChain, opts: LocalOptions): Promise<{ state: StopState }> {
  const pid = runningPid(lc, opts.onEvent);
  if (pid === undefined) return { state: 'not-running' };
  const client = opts.runtime.clients.chain(lc.chain, { timeoutMs: 10_000 });
  try {
    await client.call('stop', [], { retry: false });
  } catch {
    // the signal below still stops it
  } finally {
    await client.close();
  }
  const timeoutMs = opts.runtime.platform.defaults.stop.timeoutMs;
  if (await waitExit(pid, timeoutMs)) return { state: 'stopped' };
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    opts.onEvent?.({ type: 'signal', chain: lc.chain.name, signal });
    try {
      process.kill(pid, signal);
    } catch {
      return { state: 'stopped' };
    }
    if (await waitExit(pid, 10_000)) {
      if (existsSync(lc.pidFile)) unlinkSync(lc.pidFile);
      return { state: signal === 'SIGKILL' ? 'killed' : 'stopped' };
    }
  }
  throw new DokomodoError('stop-failed', `${lc.chain.name}: process ${pid} survived SIGKILL`);
}
