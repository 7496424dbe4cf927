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
  /** The host's `127.0.0.1:port` (or `address:port`) as reached from here. */
  forward(port: number, address?: string): Promise<Endpoint>;
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
    forward: async (port, address) => ({ host: address ?? host.address ?? '127.0.0.1', port }),
    close: async () => {},
  };
}

/** Runs a program here and collects its output; never throws for a non-zero exit. */
export function runProgram(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
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
    forward(port, address = '127.0.0.1') {
      const key = `${address}:${port}`;
      let got = forwards.get(key);
      if (!got) {
        const socketPath = `${opts.controlDir}/${process.pid}-${forwarded++}.sock`;
        got = runProgram(
          ssh,
          [...options, '-O', 'forward', '-L', `${socketPath}:${address}:${port}`, ...target],
          {
            timeoutMs: (opts.connectTimeoutSeconds ?? 10) * 1000 + 5000,
          },
        ).then(async (r) => {
          if (r.code === 0) return { socketPath };
          // No master yet: open one (a no-op command), then forward again.
          const m = await shell.run(['true']);
          if (m.code !== 0) throw unreachable(m);
          const again = await runProgram(ssh, [
            ...options,
            '-O',
            'forward',
            '-L',
            `${socketPath}:${address}:${port}`,
            ...target,
          ]);
          if (again.code !== 0) throw unreachable(again);
          return { socketPath };
        });
        got.catch(() => forwards.delete(key));
        forwards.set(key, got);
      }
      return got;
    },
    async close() {
      const open = [...forwards.entries()];
      forwards.clear();
      for (const [key, p] of open) {
        const ep = await p.catch(() => undefined);
        if (!ep || !('socketPath' in ep)) continue;
        const [address, port] = [key.slice(0, key.lastIndexOf(':')), key.slice(key.lastIndexOf(':') + 1)];
        await runProgram(ssh, [
          ...options,
          '-O',
          'cancel',
          '-L',
          `${ep.socketPath}:${address}:${port}`,
          ...target,
        ]).catch(() => undefined);
        rmSync(ep.socketPath, { force: true });
      }
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
