/**
 * The Iguana process of a `process`-control host: started in its working directory the way the
 * rendered unit starts it (`iguana notary` or `iguana 3rd_party`, the elected file beside it),
 * detached, its pid kept in `dokomodo-iguana.pid` and its output appended to `iguana.log` of
 * that directory (where the rendered unit puts it too, and the monitor tails it); ready once its API answers the static `dpow notarychains` (reference §8).
 * Stopped with SIGTERM (Iguana ignores SIGINT), then SIGKILL.
 *
 * Everything runs through the host's shell (this machine's, or one SSH connection), so the same
 * code starts, finds and stops an Iguana here and on another host. `findIguanas` is the process
 * check the field uses (dragon_node's cron: a process named iguana with `notary` or `3rd_party`),
 * limited to the host's service user: fencing reads it to find a second signer.
 */
import { IGUANA_LOG } from '../../contract/metrics.ts';
import { DokomodoError } from '../../core/errors.ts';
import { daemonEnv } from '../../core/child-env.ts';
import { expandUserPath } from '../../core/local.ts';
import type { HostModel, IguanaModel } from '../../platform/model.ts';
import { type HostShell, localShell } from '../remote/shell.ts';
import type { Runtime } from '../runtime.ts';
import { onHost } from './remote.ts';

export interface IguanaPlace {
  instance: IguanaModel;
  /** The platform host, or undefined for this machine. */
  host: HostModel | undefined;
  hostName: string;
  shell: HostShell;
  workdir: string;
  pidFile: string;
  logFile: string;
}

export interface IguanaProcessOptions {
  /** Run the devnet's Iguana simulator: `node BIN` (BIN is a path on the instance's host). */
  devnetBin?: string;
  /** How long to wait for the API. Default the platform's start timeout. */
  timeoutMs?: number;
  onEvent?: (e: { type: 'spawned'; instance: string; host: string; pid: number }) => void;
}

/** The argument that selects Iguana's mode (and so its elected file). */
export function modeArg(g: IguanaModel): 'notary' | '3rd_party' {
  return g.mode === 'main' ? 'notary' : '3rd_party';
}

export function iguanaPlace(rt: Runtime, g: IguanaModel): IguanaPlace {
  const host = rt.hostOf(g.host);
  const workdir = host && !host.local ? onHost(host, g.workdir) : expandUserPath(g.workdir);
  return {
    instance: g,
    host,
    hostName: host?.name ?? 'this machine',
    shell: host ? rt.shell(host) : localShell({ name: 'this machine' }),
    workdir,
    pidFile: `${workdir}/dokomodo-iguana.pid`,
    logFile: `${workdir}/${IGUANA_LOG}`,
  };
}

async function sh(
  p: IguanaPlace,
  what: string,
  script: string,
  args: readonly string[],
  env?: Record<string, string>,
): Promise<string> {
  const r = await p.shell.run(['sh', '-c', script, 'sh', ...args], env ? { env } : {});
  if (r.code !== 0) {
    const why = r.stderr.trim().split('\n').at(-1) || `exit ${r.code}`;
    const message = `iguana ${p.instance.name}: could not ${what} on ${p.hostName}: ${why}`;
    if (/not found/.test(why))
      throw new DokomodoError('binary-missing', message, {
        hint: `install Iguana on ${p.hostName} (dokomodo deploy), or set defaults.binaries.iguana`,
      });
    throw new DokomodoError('remote-command-failed', message, {
      hint: `check ${p.workdir} on ${p.hostName} (dokomodo deploy creates it)`,
    });
  }
  return r.stdout;
}

/** The pid of the instance's Iguana when it runs (a stale pid file is removed). */
export async function iguanaPid(p: IguanaPlace): Promise<number | undefined> {
  const out = await sh(
    p,
    'read its pid file',
    'f=$1; [ -f "$f" ] || exit 0; p=$(cat "$f"); if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then echo "$p"; else rm -f "$f"; fi',
    [p.pidFile],
  );
  const pid = Number.parseInt(out.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function commandOf(rt: Runtime, p: IguanaPlace, opts: IguanaProcessOptions): string[] {
  const g = p.instance;
  const args: string[] = [modeArg(g)];
  if (g.port !== (g.mode === 'main' ? 7776 : 7779)) args.push(`-port=${g.port}`);
  if (opts.devnetBin) return ['node', opts.devnetBin, ...args];
  const bin = rt.platform.defaults.binaries['iguana'] ?? 'iguana';
  return [p.host && !p.host.local ? onHost(p.host, bin) : expandUserPath(bin), ...args];
}

async function answers(rt: Runtime, g: IguanaModel): Promise<boolean> {
  try {
    await rt.clients.iguana(g, { timeoutMs: 5_000, connectTimeoutMs: 2_000 }).notarychains();
    return true;
  } catch {
    return false;
  }
}

/** Starts the instance's Iguana (unless it runs) and resolves once its API answers. */
export async function startIguana(
  rt: Runtime,
  g: IguanaModel,
  opts: IguanaProcessOptions = {},
): Promise<{ state: 'started' | 'already-running'; pid: number }> {
  await rt.prepare({ iguana: [g] });
  const p = iguanaPlace(rt, g);
  const existing = await iguanaPid(p);
  if (existing !== undefined) return { state: 'already-running', pid: existing };
  const argv = commandOf(rt, p, opts);
  const out = await sh(
    p,
    'start Iguana',
    'd=$1; log=$2; pf=$3; shift 3; [ -d "$d" ] || { echo "no working directory $d" >&2; exit 1; }; cd "$d" || exit 1; command -v "$1" >/dev/null 2>&1 || { echo "$1: not found" >&2; exit 127; }; nohup "$@" >>"$log" 2>&1 </dev/null & echo $! > "$pf"; echo $!',
    [p.workdir, p.logFile, p.pidFile, ...argv],
    // Only on this machine does the environment pass; it is built on purpose (no secrets).
    p.shell.local ? daemonEnv() : undefined,
  );
  const pid = Number.parseInt(out.trim(), 10);
  opts.onEvent?.({ type: 'spawned', instance: g.name, host: p.hostName, pid });
  const deadline = Date.now() + (opts.timeoutMs ?? rt.platform.defaults.start.timeoutMs);
  for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
    if (await answers(rt, g)) return { state: 'started', pid };
    const alive = await iguanaPid(p).catch(() => undefined);
    if (alive === undefined) {
      const tail = await p.shell.run(['tail', '-n', '3', p.logFile]).catch(() => undefined);
      const log = tail?.stdout.trim().split('\n').join(' | ').slice(0, 400);
      throw new DokomodoError(
        'iguana-exited',
        `iguana ${g.name}: Iguana exited during start on ${p.hostName}${log ? `: ${log}` : ''}`,
        { hint: `see ${p.logFile} on ${p.hostName} (an elected file with fewer than 8 seeds stops it)` },
      );
    }
    if (Date.now() > deadline) {
      await p.shell.run(['kill', '-TERM', String(pid)]).catch(() => undefined);
      throw new DokomodoError(
        'iguana-start-timeout',
        `iguana ${g.name}: its API on port ${g.port} did not answer within ${Math.round((opts.timeoutMs ?? rt.platform.defaults.start.timeoutMs) / 1000)} s on ${p.hostName}`,
        { hint: `see ${p.logFile} on ${p.hostName}` },
      );
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** SIGTERM, up to 30 s, then SIGKILL; waits on the host in one script per signal. */
export async function killIguana(
  shell: HostShell,
  pid: number,
  hostName: string,
): Promise<'stopped' | 'killed'> {
  for (const [signal, seconds] of [
    ['TERM', 30],
    ['KILL', 10],
  ] as const) {
    const r = await shell.run(
      [
        'sh',
        '-c',
        'p=$1; kill -"$2" "$p" 2>/dev/null || exit 0; n=$3; while [ "$n" -gt 0 ]; do kill -0 "$p" 2>/dev/null || exit 0; sleep 0.1; n=$((n-1)); done; exit 1',
        'sh',
        String(pid),
        signal,
        String(seconds * 10),
      ],
      { timeoutMs: (seconds + 10) * 1000 },
    );
    if (r.code === 0) return signal === 'TERM' ? 'stopped' : 'killed';
  }
  throw new DokomodoError('stop-failed', `Iguana process ${pid} on ${hostName} survived SIGKILL`);
}

/** Stops the instance's Iguana when it runs. */
export async function stopIguana(
  rt: Runtime,
  g: IguanaModel,
): Promise<{ state: 'stopped' | 'killed' | 'not-running' }> {
  if (g.host) await rt.prepare({ iguana: [g] });
  const p = iguanaPlace(rt, g);
  const pid = await iguanaPid(p);
  if (pid === undefined) return { state: 'not-running' };
  const state = await killIguana(p.shell, pid, p.hostName);
  await p.shell.run(['rm', '-f', p.pidFile]).catch(() => undefined);
  return { state };
}

export interface FoundIguana {
  pid: number;
  mode: IguanaModel['mode'];
  /** The command line as `ps` shows it. */
  args: string;
}

/**
 * The Iguana processes of a host's service user (`user`, else the login user): a program whose
 * name contains `iguana` with Iguana's mode word (`notary`/`elected` for main, `3rd_party`).
 */
export async function findIguanas(shell: HostShell, user: string | undefined): Promise<FoundIguana[]> {
  const r = await shell.run([
    'sh',
    '-c',
    'u=$1; [ -n "$u" ] || u=$(id -un); ps -u "$u" -o pid= -o args= 2>/dev/null; exit 0',
    'sh',
    user ?? '',
  ]);
  const found: FoundIguana[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const args = m[2]!;
    const words = args.split(/\s+/);
    // The program (or a script run by an interpreter) is an iguana; the shell running a script
    // that merely mentions it is not.
    const prog = words.slice(0, 2).findIndex((w) => /(^|\/)[^/]*iguana[^/]*$/i.test(w));
    if (prog < 0 || /^(sh|bash|ssh|ps|grep)$/.test(words[0]!.split('/').at(-1)!)) continue;
    const rest = words.slice(prog + 1);
    const mode = rest.includes('3rd_party')
      ? '3p'
      : rest.some((w) => w === 'notary' || w === 'elected')
        ? 'main'
        : undefined;
    if (mode) found.push({ pid: Number(m[1]), mode, args });
  }
  return found;
}
