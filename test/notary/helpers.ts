/**
 * Helpers for the notary tests: the built CLI run asynchronously (the devnet Iguana lives in the
 * test process and must keep answering while the CLI runs), free ports, and a secret scan applied
 * to every run's output.
 */
export { freePort } from '../support/ports.ts';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { deriveKeys } from '../../src/komodo/keys.ts';
import { COINS } from '../../src/komodo/coins.ts';
import { bytesToHex } from '@noble/hashes/utils.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Every value that must never appear in output: the passphrases, their private keys and every WIF. */
export function secretsOf(passphrases: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of passphrases) {
    const k = deriveKeys(p, Object.values(COINS));
    out.push(p, bytesToHex(k.privkey), ...Object.values(k.coins).map((c) => c.wif));
  }
  return out;
}

/** Fails the test when any secret appears in the text. */
export function expectNoSecrets(text: string, secrets: readonly string[]): void {
  for (const s of secrets) expect(text.includes(s), 'a secret appeared in the output').toBe(false);
}

/**
 * Runs the built CLI (bin/dokomodo.js) without blocking this process, with NO_COLOR and without
 * DOKOMODO_PASSPHRASE unless given; every run's stdout and stderr are scanned for `secrets`.
 */
export function cli(
  args: string[],
  opts: {
    input?: string;
    env?: Record<string, string | undefined>;
    secrets: readonly string[];
    timeoutMs?: number;
  },
): Promise<RunResult> {
  return runScanned(process.execPath, ['bin/dokomodo.js', ...args], {
    ...opts,
    label: `dokomodo ${args.join(' ')}`,
  });
}

/**
 * Runs a program (the CLI, or the CLI through a namespace wrapper) with the test environment
 * (no passphrase unless given, no colours), feeds `input`, and fails if its output shows a secret.
 */
export function runScanned(
  file: string,
  argv: readonly string[],
  opts: {
    label: string;
    input?: string;
    env?: Record<string, string | undefined>;
    secrets: readonly string[];
    timeoutMs?: number;
  },
): Promise<RunResult> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: '1',
    DOKOMODO_PASSPHRASE: undefined,
    ...opts.env,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...argv], {
      env: env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        expectNoSecrets(stdout, opts.secrets);
        expectNoSecrets(stderr, opts.secrets);
      } catch (e) {
        reject(new Error(`${opts.label}: ${(e as Error).message}`));
        return;
      }
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * Last-resort cleanup after `dokomodo stop`: SIGKILL whatever the pid files under `data` still
 * name (a CLI run that could not stop them must not leave daemons holding fixed ports).
 */
export function killLeftovers(data: string, names: readonly string[]): void {
  for (const name of names) {
    const pidFile = name === 'KMD' ? join(data, 'komodod.pid') : join(data, name, 'komodod.pid');
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    try {
      if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
