/**
 * Reaching a host of the fleet: run a program there and reach one of its loopback ports from
 * here. The controller never opens a chain's RPC port to the network: a remote host is reached
 * over SSH (OpenSSH's client, one master connection per host reused by every call), and a port
 * on its loopback is forwarded to a Unix socket in a private directory on this machine.
 *
 * `localShell` is this machine (no SSH, ports reached directly); `sshShell` is every other host.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { DokomodoError } from '../../core/errors.ts';
import type { HostModel } from '../../platform/model.ts';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the program's standard input, then closed. */
  input?: string;
  /** Kill the program (and fail with `host-timeout`) after this long. Default 60 s. */
  timeoutMs?: number;
  /**
   * The environment of a program run on this machine (default: ours). Give one built with
   * `daemonEnv()` when the program leaves a daemon running. Over SSH the remote login's own
   * environment applies and this is not sent.
   */
  env?: Record<string, string>;
}

/** Where a port of the host is reached from here. */
export type Endpoint = { host: string; port: number } | { socketPath: string };

export interface HostShell {
  /** The platform's name of the host. */
  readonly host: string;
  readonly local: boolean;
  /**
   * Runs `argv` on the host (no shell in between on this machine; over SSH the words are quoted
   * for the remote shell). Throws `host-unreachable` when the host cannot be reached at all.
   */
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /**
   * The host's `127.0.0.1:port` (or `address:port`) of each port as reached from here, in order;
   * over SSH one request to the master for all of them.
   */
  forwardAll(ports: readonly number[], address?: string): Promise<Endpoint[]>;
  /** Whether the connection that carries the forwards is still up (always true here). */
  alive(): Promise<boolean>;
  /** Ends the master connection and its forwards. Safe to call twice. */
  close(): Promise<void>;
}

export const DEFAULT_RUN_TIMEOUT_MS = 60_000;

/** This machine. */
export function localShell(host: Pick<HostModel, 'name'> & { address?: string }): HostShell {
  return {
    host: host.name,
    local: true,
    run: (argv, opts = {}) => runProgram(argv[0]!, argv.slice(1), opts),
    alive: async () => true,
    forwardAll: async (ports, address) =>
      ports.map((port) => ({ host: address ?? host.address ?? '127.0.0.1', port })),
    close: async () => {},
  };
}

/** Runs a program here and collects its output; never throws for a non-zero exit. */
export function runProgram(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(opts.env ? { env: opts.env } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 + 9 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

// ---- over SSH

export interface SshShellOptions {
  /**
   * Directory (0700) for the master connections' control sockets and the forwarded Unix
   * sockets. Kept short: a Unix socket path has at most 107 bytes.
   */
  controlDir: string;
  /** How long the master connection outlives its last use. Default 60 s. */
  persistSeconds?: number;
  /** Connect timeout. Default 10 s. */
  connectTimeoutSeconds?: number;
  /** The ssh program. Default `ssh` on PATH. */
  ssh?: string;
}

/** One word for a POSIX shell: single-quoted unless it is plainly safe. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The ssh options every call to `host` uses (the master connection is shared through them). */
export function sshArgs(host: HostModel, opts: SshShellOptions): string[] {
  const o: Record<string, string> = {
    BatchMode: 'yes',
    ConnectTimeout: String(opts.connectTimeoutSeconds ?? 10),
    ControlMaster: 'auto',
    ControlPath: `${opts.controlDir}/%C`,
    ControlPersist: `${opts.persistSeconds ?? 60}s`,
    ServerAliveInterval: '15',
    ServerAliveCountMax: '3',
    ...(host.ssh.knownHosts ? { UserKnownHostsFile: host.ssh.knownHosts, StrictHostKeyChecking: 'yes' } : {}),
    ...host.ssh.options,
  };
  const args = Object.entries(o).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
  args.push('-p', String(host.ssh.port));
  if (host.ssh.key) args.push('-i', host.ssh.key, '-o', 'IdentitiesOnly=yes');
  if (host.ssh.user) args.push('-l', host.ssh.user);
  args.push(host.address);
  return args;
}

/** Forwarded sockets made by this process (all hosts share the control directory). */
let forwarded = 0;

/** A host of the fleet reached over SSH. */
export function sshShell(host: HostModel, opts: SshShellOptions): HostShell {
  const ssh = opts.ssh ?? 'ssh';
  const base = sshArgs(host, opts);
  const target = base.slice(-1);
  const options = base.slice(0, -1);
  const forwards = new Map<string, Promise<Endpoint>>();
  /** The -L argument of each forward, to cancel it. */
  const specs = new Map<string, string>();
  const unreachable = (r: RunResult) =>
    new DokomodoError(
      'host-unreachable',
      `host ${host.name} (${host.address}:${host.ssh.port}) cannot be reached over SSH: ${lastLine(r.stderr)}`,
      {
        hint: `check \`ssh -p ${host.ssh.port} ${host.ssh.user ? `${host.ssh.user}@` : ''}${host.address}\` from this machine`,
      },
    );
  const shell: HostShell = {
    host: host.name,
    local: false,
    async run(argv, runOpts = {}) {
      const r = await runProgram(ssh, [...options, ...target, '--', argv.map(shellWord).join(' ')], runOpts);
      // ssh itself exits 255 when it cannot connect (a remote program exiting 255 is rare and
      // then reported as unreachable too, with its own stderr).
      if (r.code === 255) throw unreachable(r);
      return r;
    },
    async alive() {
      // No ssh program at all (spawn fails) is "not alive" too: the next prepare reports why.
      const r = await runProgram(ssh, [...options, '-O', 'check', ...target], { timeoutMs: 5000 }).catch(
        () => undefined,
      );
      return r?.code === 0;
    },
    forwardAll(ports, address = '127.0.0.1') {
      const fresh: { key: string; spec: string; socketPath: string }[] = [];
      for (const port of ports) {
        const key = `${address}:${port}`;
        if (forwards.has(key)) continue;
        const socketPath = `${opts.controlDir}/${process.pid}-${forwarded++}.sock`;
        fresh.push({ key, spec: `${socketPath}:${address}:${port}`, socketPath });
      }
      if (fresh.length > 0) {
        const request = (args: string[]) =>
          runProgram(ssh, [...options, '-O', 'forward', ...args, ...target], {
            timeoutMs: (opts.connectTimeoutSeconds ?? 10) * 1000 + 5000,
          });
        const args = fresh.flatMap((f) => ['-L', f.spec]);
        // One request to the master for all of them; without a master yet, open one first.
        const done = request(args).then(async (r) => {
          if (r.code === 0) return;
          const m = await shell.run(['true']);
          if (m.code !== 0) throw unreachable(m);
          const again = await request(args);
          if (again.code !== 0) throw unreachable(again);
        });
        for (const f of fresh) {
          const got = done.then(() => ({ socketPath: f.socketPath }) as Endpoint);
          got.catch(() => forwards.delete(f.key));
          forwards.set(f.key, got);
          specs.set(f.key, f.spec);
        }
      }
      return Promise.all(ports.map((port) => forwards.get(`${address}:${port}`)!));
    },
    async close() {
      const open = [...forwards.entries()];
      forwards.clear();
      const live: { spec: string; socketPath: string }[] = [];
      for (const [key, p] of open) {
        const ep = await p.catch(() => undefined);
        const spec = specs.get(key);
        if (ep && 'socketPath' in ep && spec) live.push({ spec, socketPath: ep.socketPath });
      }
      specs.clear();
      if (live.length === 0) return;
      await runProgram(ssh, [
        ...options,
        '-O',
        'cancel',
        ...live.flatMap((l) => ['-L', l.spec]),
        ...target,
      ]).catch(() => undefined);
      for (const l of live) rmSync(l.socketPath, { force: true });
    },
  };
  return shell;
}

function lastLine(text: string): string {
  const lines = text
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('Warning: Permanently added'));
  return lines.at(-1) ?? 'ssh failed';
}
