/**
 * The `process` control of a host that is not this machine: the same daemons, arguments, conf
 * and readiness rule as the local control (daemon/local.ts), with every file and process
 * operation run through the host's shell (one SSH connection, reused) and readiness asked
 * through the chain's forwarded RPC port. The daemon's environment is the remote login's own:
 * nothing of this machine's environment (passphrase, platform secret) crosses SSH.
 *
 * The conf travels on the ssh command's stdin (never in its arguments, which `ps` shows) and is
 * written with umask 077 to a temporary name, then renamed, so a daemon never reads half a conf.
 */
import { DokomodoError } from '../../core/errors.ts';
import type { ChainModel, HostModel } from '../../platform/model.ts';
import type { HostShell } from '../remote/shell.ts';
import { RpcError } from '../rpc/client.ts';
import type { Runtime } from '../runtime.ts';
import {
  confMatches,
  confText,
  type DaemonEvent,
  daemonArgs,
  type StartState,
  type StopState,
} from './local.ts';

export interface RemoteOptions {
  runtime: Runtime;
  /** Run the devnet simulator: `node BIN` on the host (BIN is a path on that host). */
  devnet?: { bin: string; extraArgs?: readonly string[] };
  onEvent?: (e: DaemonEvent) => void;
}

/** Where a chain lives on its host: `~` is that host's home. */
export interface RemoteChain {
  chain: ChainModel;
  host: HostModel;
  datadir: string;
  conf: string;
  pidFile: string;
  logFile: string;
}

/** A path of the platform file (`~` = the host's home) as a path on that host. */
export function onHost(host: HostModel, path: string): string {
  const home = host.home ?? `/home/${host.user}`;
  return path === '~' ? home : path.startsWith('~/') ? `${home}/${path.slice(2)}` : path;
}

export function remoteChain(chain: ChainModel, host: HostModel): RemoteChain {
  const datadir = onHost(host, chain.datadir);
  return {
    chain,
    host,
    datadir,
    conf: `${datadir}/${chain.confName}`,
    pidFile: `${datadir}/${chain.kind === 'coin' ? `${chain.coin.daemon}.pid` : 'komodod.pid'}`,
    logFile: `${datadir}/dokomodo-daemon.log`,
  };
}

/** Runs a small POSIX sh script on the host with positional arguments; fails on a non-zero exit. */
async function sh(
  shell: HostShell,
  rc: RemoteChain,
  what: string,
  script: string,
  args: readonly string[],
  input?: string,
): Promise<string> {
  const r = await shell.run(['sh', '-c', script, 'sh', ...args], input === undefined ? {} : { input });
  if (r.code !== 0) {
    throw new DokomodoError(
      'remote-command-failed',
      `${rc.chain.name}: could not ${what} on host ${rc.host.name}: ${r.stderr.trim().split('\n').at(-1) || `exit ${r.code}`}`,
      { hint: `check the data directory ${rc.datadir} and its owner on ${rc.host.name}` },
    );
  }
  return r.stdout;
}

/** The pid of the chain's running daemon on its host, or undefined (a stale pid file is removed). */
export async function remotePid(shell: HostShell, rc: RemoteChain): Promise<number | undefined> {
  const out = await sh(
    shell,
    rc,
    'read its pid file',
    'f=$1; [ -f "$f" ] || exit 0; p=$(cat "$f"); if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then echo "$p"; else rm -f "$f"; fi',
    [rc.pidFile],
  );
  const pid = Number.parseInt(out.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function commandOf(rc: RemoteChain, opts: RemoteOptions): string[] {
  const args = daemonArgs(rc.chain, rc.datadir, opts.devnet ? { devnet: true } : {});
  if (opts.devnet) return ['node', opts.devnet.bin, ...args, ...(opts.devnet.extraArgs ?? [])];
  const daemon = rc.chain.coin.daemon;
  return [onHost(rc.host, opts.runtime.platform.defaults.binaries[daemon] ?? daemon), ...args];
}

/** Writes the conf when missing; refuses one whose credentials are not the derived ones. */
async function ensureRemoteConf(shell: HostShell, rc: RemoteChain, rt: Runtime): Promise<'written' | 'kept'> {
  const secret = rt.secret();
  const existing = await sh(shell, rc, 'read its conf', 'f=$1; [ -f "$f" ] && cat "$f"; exit 0', [rc.conf]);
  if (existing !== '') {
    if (confMatches(existing, secret, rc.chain)) return 'kept';
    throw new DokomodoError(
      'conf-mismatch',
      `${rc.host.name}:${rc.conf} has other RPC credentials or port than the ones derived from the platform secret`,
      {
        hint: 'it was written by something else or with another secret: move it away, or rerun `dokomodo deploy`',
      },
    );
  }
  await sh(
    shell,
    rc,
    'write its conf',
    'umask 077; mkdir -p "$1" && cat > "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"',
    [rc.datadir, rc.conf],
    confText(rt.platform, secret, rc.chain),
  );
  return 'written';
}

export async function startRemote(
  rc: RemoteChain,
  shell: HostShell,
  opts: RemoteOptions,
): Promise<{ state: StartState; pid: number }> {
  const name = rc.chain.name;
  const existing = await remotePid(shell, rc);
  if (existing !== undefined) return { state: 'already-running', pid: existing };
  await ensureRemoteConf(shell, rc, opts.runtime);
  const argv = commandOf(rc, opts);
  // Detached from the SSH session; its output appended to the log next to its data.
  const out = await sh(
    shell,
    rc,
    'start its daemon',
    'd=$1; log=$2; shift 2; cd "$d" || exit 1; command -v "$1" >/dev/null 2>&1 || { echo "$1: not found" >&2; exit 127; }; nohup "$@" >>"$log" 2>&1 </dev/null & echo $!',
    [rc.datadir, rc.logFile, ...argv],
  ).catch((e: DokomodoError) => {
    if (/not found/.test(e.message)) {
      throw new DokomodoError(
        'binary-missing',
        `${name}: the daemon binary ${argv[0]} is missing on host ${rc.host.name}`,
        {
          hint: `install it there (dokomodo deploy), or set defaults.binaries.${rc.chain.coin.daemon}`,
        },
      );
    }
    throw e;
  });
  const pid = Number.parseInt(out.trim(), 10);
  opts.onEvent?.({ type: 'spawned', chain: name, pid });
  const timeoutMs = opts.runtime.platform.defaults.start.timeoutMs;
  const client = opts.runtime.clients.chain(rc.chain, {
    timeoutMs: 10_000,
    onEvent: (e) =>
      opts.onEvent?.({
        type: 'waiting',
        chain: name,
        message: e.kind === 'transport' ? 'waiting for its RPC port to open' : e.message,
      }),
  });
  try {
    await client.call('getblockcount', [], {
      retry: { deadlineMs: timeoutMs, initialDelayMs: 100, maxDelayMs: 2_000 },
    });
  } catch (e) {
    if (!(e instanceof RpcError)) throw e;
    const alive = await remotePid(shell, rc).catch(() => undefined);
    const tail = await shell.run(['tail', '-n', '3', rc.logFile]).catch(() => undefined);
    const log = tail?.stdout.trim().split('\n').join(' | ').slice(0, 400);
    if (alive === undefined) {
      throw new DokomodoError(
        'daemon-exited',
        `${name}: the daemon exited during start on host ${rc.host.name}${log ? `: ${log}` : ''}`,
        { hint: `see ${rc.logFile} and the chain's debug.log on ${rc.host.name}` },
      );
    }
    // Not ready in time: leave nothing half-started behind.
    await shell.run(['kill', '-TERM', String(alive)]).catch(() => undefined);
    throw new DokomodoError(
      'start-timeout',
      `${name}: RPC did not answer within ${Math.round(timeoutMs / 1000)} s on host ${rc.host.name} (${e.message})`,
      { hint: 'raise defaults.start.timeout, or read the debug.log of the chain' },
    );
  } finally {
    await client.close();
  }
  return { state: 'started', pid };
}

/** Stops one chain on its host: RPC `stop`, wait up to the stop timeout, then TERM, then KILL. */
export async function stopRemote(
  rc: RemoteChain,
  shell: HostShell,
  opts: RemoteOptions,
): Promise<{ state: StopState }> {
  const pid = await remotePid(shell, rc);
  if (pid === undefined) return { state: 'not-running' };
  const client = opts.runtime.clients.chain(rc.chain, { timeoutMs: 10_000 });
  try {
    await client.call('stop', [], { retry: false });
  } catch {
    // the signals below still stop it
  } finally {
    await client.close();
  }
  // One script waits on the host (no SSH round trip per poll): exit 0 once the pid is gone.
  const wait = (seconds: number) =>
    shell
      .run([
        'sh',
        '-c',
        'p=$1; n=$2; while [ "$n" -gt 0 ]; do kill -0 "$p" 2>/dev/null || exit 0; sleep 0.1; n=$((n-1)); done; kill -0 "$p" 2>/dev/null && exit 1; exit 0',
        'sh',
        String(pid),
        String(Math.max(1, Math.round(seconds * 10))),
      ])
      .then((r) => r.code === 0);
  if (await wait(opts.runtime.platform.defaults.stop.timeoutMs / 1000)) return { state: 'stopped' };
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    opts.onEvent?.({ type: 'signal', chain: rc.chain.name, signal });
    await shell.run(['kill', `-${signal.slice(3)}`, String(pid)]);
    if (await wait(10)) {
      await shell.run(['rm', '-f', rc.pidFile]);
      return { state: signal === 'SIGKILL' ? 'killed' : 'stopped' };
    }
  }
  throw new DokomodoError(
    'stop-failed',
    `${rc.chain.name}: process ${pid} on host ${rc.host.name} survived SIGKILL`,
  );
}
