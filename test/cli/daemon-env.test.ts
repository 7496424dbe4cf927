/**
 * Every long-lived process dokomodo starts gets an environment built on purpose: with the wallet
 * passphrase, the default secret variable and the platform's own named secret variable set in
 * dokomodo's environment, none of their values (nor any other variable outside the list) appears
 * in /proc/PID/environ of the chains of `start`, the detached devnet, or the demo's chains.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DAEMON_ENV_KEYS } from '../../src/core/child-env.ts';
import { dokomodo } from './helpers.ts';

const PASSPHRASE = 'envtest passphrase that must stay home 0123';
const DEFAULT_SECRET = 'envtest-default-secret-0123456789';
const NAMED_SECRET = 'envtest-named-secret-9876543210';
const OTHER = 'envtest-unrelated-value-42';
const env = {
  DOKOMODO_PASSPHRASE: PASSPHRASE,
  DOKOMODO_SECRET: DEFAULT_SECRET,
  ENVTEST_SECRET: NAMED_SECRET,
  ENVTEST_OTHER: OTHER,
};
const dir = mkdtempSync(join(tmpdir(), 'dokomodo-envtest-'));
const names = ['ENVT01', 'ENVT02'];
const file = join(dir, 'dokomodo.yaml');
writeFileSync(
  file,
  `version: 1
secret: { env: ENVTEST_SECRET }
defaults: { start: { timeout: 30s }, stop: { timeout: 10s } }
chains:
${names.map((n, i) => `  ${n}: { params: { ac_supply: ${7100 + i} } }`).join('\n')}
`,
);

function environ(pid: number): Record<string, string> {
  const raw = readFileSync(`/proc/${pid}/environ`, 'utf8');
  const out: Record<string, string> = {};
  for (const kv of raw.split('\0').filter(Boolean)) {
    const i = kv.indexOf('=');
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

function expectClean(pid: number, allowedExtra: readonly string[] = []) {
  const raw = readFileSync(`/proc/${pid}/environ`, 'utf8');
  for (const v of [PASSPHRASE, DEFAULT_SECRET, NAMED_SECRET, OTHER]) expect(raw).not.toContain(v);
  const keys = Object.keys(environ(pid));
  expect(keys.length).toBeGreaterThan(0);
  expect(keys.filter((k) => !DAEMON_ENV_KEYS.includes(k) && !allowedExtra.includes(k))).toEqual([]);
}

const pidOf = (f: string) => Number(readFileSync(f, 'utf8').trim());

describe('daemon environments hold none of dokomodo’s secrets', () => {
  const data = join(dir, 'start');
  const devnet = join(dir, 'devnet');
  afterAll(() => {
    dokomodo(['stop', '--datadir', data, '-f', file], { env });
    dokomodo(['devnet', 'down', '--datadir', devnet], { env });
  });

  it('the chains of `start` (the devnet daemons, real processes)', () => {
    const r = dokomodo(['start', '--devnet', '--datadir', data, '-f', file], { env });
    expect(r.code).toBe(0);
    for (const n of names) expectClean(pidOf(join(data, n, 'komodod.pid')));
    // and they still work: credentials came through the conf, not the environment
    const s = JSON.parse(dokomodo(['status', '--json', '-f', file], { env }).stdout) as {
      chains: Array<{ state: string }>;
    };
    expect(s.chains.map((c) => c.state)).toEqual(['running', 'running']);
    dokomodo(['stop', '--datadir', data, '-f', file], { env });
  });

  it('the detached devnet, which still gets the platform secret (through a pipe)', () => {
    const r = dokomodo(['devnet', 'up', '--detach', '--datadir', devnet, '--blocktime', '0', '-f', file], {
      env,
    });
    expect(r.code).toBe(0);
    const pid = pidOf(join(devnet, 'devnet.pid'));
    // the descriptor's number, not the secret: that came down the pipe
    expectClean(pid, ['NO_COLOR', 'DOKOMODO_FILE', 'DOKOMODO_DEVNET_SECRET_FD']);
    const s = JSON.parse(dokomodo(['status', '--json', '-f', file], { env }).stdout) as {
      chains: Array<{ state: string }>;
    };
    expect(s.chains.map((c) => c.state)).toEqual(['running', 'running']);
    expect(readFileSync(join(devnet, 'devnet.log'), 'utf8')).not.toContain(NAMED_SECRET);
    dokomodo(['devnet', 'down', '--datadir', devnet], { env });
  });

  it('the chains the demo starts', async () => {
    const demoDir = join(dir, 'demo');
    const cwd = mkdtempSync(join(tmpdir(), 'dokomodo-envtest-cwd-'));
    const child = spawn(
      process.execPath,
      [join(process.cwd(), 'bin/dokomodo.js'), 'demo', '--datadir', demoDir],
      {
        cwd, // no dokomodo.yaml here: the embedded example
        env: { ...process.env, NO_COLOR: '1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!/\d+ chains: /.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/\d+ chains: /);
      // the chains of examples/dev.yaml, KMD in the demo directory itself
      const files = ['KMD', 'DOC', 'MARTY', 'TESTA'].map((n) =>
        n === 'KMD' ? join(demoDir, 'komodod.pid') : join(demoDir, n, 'komodod.pid'),
      );
      expect(
        files.filter((f) => !existsSync(f)),
        out,
      ).toEqual([]);
      const pids = files.map(pidOf);
      for (const pid of pids) expectClean(pid);
    } finally {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
  }, 90_000);
});
