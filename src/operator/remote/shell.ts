/**
 * Reaching a host of the fleet: run a program there and reach one of its loopback ports from
 * here. The controller never opens a chain's RPC port to the network: a remote host is reached
 * over SSH (OpenSSH's client, one master connection per host reused by every call), and a port
 * on its loopback is forwarded to a Unix socket in a private directory on this machine.
 *
 * `localShell` is this machine (no SSH, ports reached directly); `sshShell` is every other host.
 */
import { spawn } from 'node:child_process';
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
