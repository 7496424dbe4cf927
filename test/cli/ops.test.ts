/**
 * start, stop, status and rpc against real devnet processes (dokomodo-komodod), over real sockets.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlatformText } from '../../src/platform/load.ts';
import { dokomodo } from './helpers.ts';

const SECRET = 'ops-test-secret-0123456789';
const env = { DOKOMODO_SECRET: SECRET };
const dir = mkdtempSync(join(tmpdir(), 'dokomodo-ops-'));
const names = Array.from({ length: 12 }, (_, i) => `OPST${String(i).padStart(2, '0')}`);
const yaml = `version: 1
defaults: { start: { concurrency: 6, timeout: 30s }, stop: { timeout: 10s } }
chains:
${names.map((n, i) => `  ${n}: { params: { ac_supply: ${1000 + i} } }`).join('\n')}
environments:
  firsthalf: { chains: [${names.slice(0, 6).join(', ')}] }
`;
const file = join(dir, 'dokomodo.yaml');
writeFileSync(file, yaml);
const platform = loadPlatformText(file, yaml).platform!;
const data = join(dir, 'data');
const run = (args: string[], extra: Record<string, string | undefined> = {}) =>
  dokomodo([...args, '-f', file], { env: { ...env, ...extra } });

describe('lifecycle against devnet processes', () => {
  afterAll(() => {
    run(['stop', '--datadir', data]);
  });

  it('starts a dozen chains, each when its RPC answers', () => {
    const r = run(['start', '--devnet', '--datadir', data, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const results = JSON.parse(r.stdout) as Array<{ chain: string; ok: boolean; result: { state: string } }>;
    expect(results.map((x) => [x.chain, x.ok, x.result.state])).toEqual(
      names.map((n) => [n, true, 'started']),
    );
    const conf = readFileSync(join(data, 'OPST03', 'OPST03.conf'), 'utf8');
    expect(conf).toContain(`rpcport=${platform.chains[3]!.rpc}`);
  });

  it('start again is idempotent', () => {
    const r = run(['start', '--devnet', '--datadir', data, 'OPST00,OPST01']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/OPST00 already running/);
  });

  it('status shows every chain running; --json has the documented fields', () => {
    const r = run(['status', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { chains: Array<Record<string, unknown>> };
    expect(s.chains).toHaveLength(12);
    for (const c of s.chains) {
      expect(c.state).toBe('running');
      for (const k of [
        'chain',
        'blocks',
        'longestchain',
        'connections',
        'balance',
        'notarized',
        'notarizedAge',
        'version',
      ])
        expect(c).toHaveProperty(k);
    }
    const table = run(['status']);
    expect(table.stdout).toMatch(
      /^CHAIN\s+STATE\s+BLOCKS\s+LONGEST\s+CONN\s+BALANCE\s+NOTARIZED\s+AGE\s+VERSION/,
    );
    expect(table.stdout).toContain('12 chains: 12 running');
  });

  it('rpc fans out to all, an environment, or a list; --json and --ndjson', () => {
    const all = run(['rpc', 'all', 'getblockcount', '--json']);
    expect(all.code).toBe(0);
    expect((JSON.parse(all.stdout) as unknown[]).length).toBe(12);
    const env6 = run(['rpc', 'firsthalf', 'getinfo', '--ndjson']);
    const lines = env6.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { chain: string; ok: boolean; result: { name: string } });
    expect(lines.map((l) => l.chain).sort()).toEqual(names.slice(0, 6));
    expect(lines.every((l) => l.ok && l.result.name === l.chain)).toBe(true);
    const one = run(['rpc', 'OPST02', 'validateaddress', 'RVNKRr2uxPMxJeDwFnTKjdtiLtcs7UzCZn']);
    expect(JSON.parse(one.stdout)).toMatchObject({ isvalid: true });
  });

  it('an RPC error on one chain is reported with its code; the exit code says so', () => {
    const r = run(['rpc', 'OPST01', 'getblockhash', '999999']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rpc-error: .*(range|height)/i);
  });

  it('a chain killed during fan-out is reported, the others answer', () => {
    const pid = Number(readFileSync(join(data, 'OPST05', 'komodod.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    const r = run(['rpc', 'all', 'getblockcount', '--json']);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout) as Array<{ chain: string; ok: boolean; error?: { code: string } }>;
    expect(results.filter((x) => !x.ok).map((x) => [x.chain, x.error!.code])).toEqual([
      ['OPST05', 'rpc-transport'],
    ]);
    expect(results.filter((x) => x.ok)).toHaveLength(11);
    const s = JSON.parse(run(['status', '--json']).stdout) as {
      chains: Array<{ chain: string; state: string }>;
    };
    expect(s.chains.find((c) => c.chain === 'OPST05')!.state).toBe('stopped');
  });

  it('a stale pid file (the killed chain) is removed and the chain starts again', () => {
    const r = run(['start', '--devnet', '--datadir', data, '-v', 'OPST05']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('removed a stale pid file');
    expect(r.stdout).toMatch(/OPST05 started/);
  });

  it('stop asks over RPC, waits, and is idempotent', () => {
    const r = run(['stop', '--datadir', data, '--json']);
    expect(r.code).toBe(0);
    const results = JSON.parse(r.stdout) as Array<{ ok: boolean; result: { state: string } }>;
    expect(results.every((x) => x.ok && x.result.state === 'stopped')).toBe(true);
    const again = run(['stop', '--datadir', data]);
    expect(again.stdout).toMatch(/OPST00 not running/);
    const s = JSON.parse(run(['status', '--json']).stdout) as { chains: Array<{ state: string }> };
    expect(s.chains.every((c) => c.state === 'stopped')).toBe(true);
  });
});

describe('restart', () => {
  const d3 = join(dir, 'data-restart');
  afterAll(() => {
    run(['stop', '--datadir', d3]);
  });
  it('stops (nothing to stop at first) and starts again, reporting both steps', () => {
    const r = run(['restart', '--devnet', '--datadir', d3, 'OPST00,OPST01']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/OPST00 not running/);
    expect(r.stdout).toMatch(/OPST00 started/);
    const again = run(['restart', '--devnet', '--datadir', d3, 'OPST00']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/OPST00 stopped[\s\S]*OPST00 started/);
  });
});

describe('start problems name the chain and the cause; the other chains carry on', () => {
  let squatter: Server;
  const d2 = join(dir, 'data2');
  beforeAll(async () => {
    squatter = createServer();
    await new Promise<void>((r) => squatter.listen(platform.chains[7]!.rpc, '127.0.0.1', r));
  });
  afterAll(async () => {
    run(['stop', '--datadir', d2]);
    await new Promise((r) => squatter.close(r));
  });

  it('a port taken by another process', () => {
    const r = run(['start', '--devnet', '--datadir', d2, '--json', 'OPST06,OPST07,OPST08']);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout) as Array<{
      chain: string;
      ok: boolean;
      error?: { code: string; message: string };
    }>;
    expect(results.map((x) => [x.chain, x.ok])).toEqual([
      ['OPST06', true],
      ['OPST07', false],
      ['OPST08', true],
    ]);
    expect(results[1]!.error).toMatchObject({ code: 'port-in-use' });
    expect(results[1]!.error!.message).toContain(String(platform.chains[7]!.rpc));
  });

  it('a missing daemon binary', () => {
    const yaml2 = yaml.replace('defaults: {', 'defaults: { binaries: { komodod: /nonexistent/komodod },');
    const f2 = join(dir, 'missing-bin.yaml');
    writeFileSync(f2, yaml2);
    const r = dokomodo(['start', '--datadir', join(dir, 'data3'), 'OPST09', '-f', f2], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('binary-missing');
    expect(r.stdout).toContain('/nonexistent/komodod');
  });

  it('a data directory that cannot be created', () => {
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const r = run(['start', '--devnet', '--datadir', join(blocker, 'sub'), 'OPST10']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/OPST10 start failed: datadir-unusable: .*not a directory/);
  });

  it('the -28 warm-up is waited out, not slept through', () => {
    const r = run(['start', '--devnet', '--datadir', d2, '--warmup', '2', '-v', 'OPST11']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/OPST11: .*(Loading|Verifying|RPC server started|Rescanning|Activating)/);
  });
});

describe('demo', () => {
  it('starts the embedded dev platform on the devnet, shows its status, stops it', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'dokomodo-demo-cwd-'));
    mkdirSync(cwd, { recursive: true });
    const out = execFileSync(
      process.execPath,
      [join(process.cwd(), 'bin/dokomodo.js'), 'demo', '--once', '--datadir', join(cwd, 'demo')],
      {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', DOKOMODO_SECRET: '' },
      },
    );
    expect(out).toContain('SIMULATOR');
    expect(out).toMatch(/KMD\s+running/);
    expect(out).toContain('4 chains: 4 running');
    expect(out).toContain('demo stopped');
  });
});
