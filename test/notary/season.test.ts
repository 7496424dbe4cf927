/**
 * `season plan` / `season apply` on this machine: the devnet's komodod and Iguana installed as the
 * host's binaries, brought up by `recover`; then a new elected file. The plan lists who comes and
 * goes and which Iguana restarts, touching nothing; apply edits the platform file (its comments
 * kept, the old one beside it), writes the elected file in Iguana's working directory, restarts
 * Iguana and bootstraps it again. A list that does not elect this notary is refused.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KMD } from '../../src/komodo/coins.ts';
import { deriveKeys } from '../../src/komodo/keys.ts';
import { dokomodo } from '../cli/helpers.ts';
import { freePort } from '../support/ports.ts';

const PASS = 'season test passphrase — never for real coins';
const PUBKEY = deriveKeys(PASS, [KMD]).pubkey;
const OTHER = deriveKeys('season test other notary', [KMD]).pubkey;
const THIRD = deriveKeys('season test third notary', [KMD]).pubkey;
const dir = mkdtempSync(join(tmpdir(), 'dk-season-'));
const home = join(dir, 'home');
const file = join(dir, 'dokomodo.yaml');
const env = { HOME: home, DOKOMODO_SECRET: 'season-test-secret-0123456789' };
const seeds = (a: string, b: string) => [a, b, a, b, a, b, a, b];
const elected = (list: Record<string, string>, s: string[]) =>
  JSON.stringify({
    port: 13848,
    minsigs: 1,
    BTCminsigs: 1,
    seeds: s,
    notaries: Object.entries(list).map(([k, v]) => ({ [k]: v })),
  });
const igPid = () => readFileSync(join(home, 'dPoW/iguana/dokomodo-iguana.pid'), 'utf8').trim();
const run = (args: string[]) =>
  dokomodo([...args, '-f', file], { env, input: `${PASS}\n`, timeoutMs: 120_000 });

beforeAll(async () => {
  mkdirSync(join(home, 'dPoW/iguana'), { recursive: true });
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'komodod'),
    `#!/bin/sh\nexec node ${resolve('bin/dokomodo-komodod.js')} "$@" -devnet-blocktime=1 -devnet-maturity=1\n`,
    { mode: 0o755 },
  );
  writeFileSync(join(bin, 'iguana'), `#!/bin/sh\nexec node ${resolve('bin/dokomodo-iguana.js')} "$@"\n`, {
    mode: 0o755,
  });
  writeFileSync(
    join(dir, 'elected-s1.json'),
    elected({ me_EU: PUBKEY, other_NA: OTHER }, seeds('198.51.100.1', '198.51.100.2')),
  );
  writeFileSync(
    join(dir, 'elected-s2.json'),
    elected({ me_EU: PUBKEY, third_AR: THIRD }, seeds('198.51.100.3', '198.51.100.2')),
  );
  writeFileSync(
    join(dir, 'elected-out.json'),
    elected({ other_NA: OTHER, third_AR: THIRD }, seeds('198.51.100.3', '198.51.100.2')),
  );
  // The Iguana's working directory as deploy leaves it: the season-1 elected file.
  writeFileSync(join(home, 'dPoW/iguana/elected'), readFileSync(join(dir, 'elected-s1.json')));
  writeFileSync(
    file,
    `version: 1
defaults:
  pubkey: ${PUBKEY}
  binaries: { komodod: ${join(bin, 'komodod')}, iguana: ${join(bin, 'iguana')} }
hosts:
  here: { address: 127.0.0.1, roles: [chains, iguana] }
chains:
  KMD: { host: here, ports: { p2p: ${await freePort()}, rpc: ${await freePort()}, override: true } }
  SSNA: { host: here, params: { ac_supply: 81077 } }
iguana:
  main: { host: here, port: ${await freePort()}, coins: [KMD, SSNA], notaries: elected, myip: 203.0.113.7 }
notaries:
  # the list of the running season (this comment stays)
  elected: { file: elected-s1.json }
`,
  );
  const r = run([
    'recover',
    '--host',
    'here',
    '--no-deploy',
    '--consolidate',
    '--passphrase-stdin',
    '--json',
  ]);
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
}, 180_000);

afterAll(() => {
  dokomodo(['stop', '-f', file], { env });
  const pidFile = join(home, 'dPoW/iguana/dokomodo-iguana.pid');
  if (existsSync(pidFile)) spawnSync('kill', [readFileSync(pidFile, 'utf8').trim()]);
});

describe('season plan and apply', () => {
  it('plan: who comes and goes, this notary still elected, which Iguana restarts; nothing touched', () => {
    const before = readFileSync(file, 'utf8');
    const r = run(['season', 'plan', '--elected', 'elected-s2.json', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      list: 'elected',
      from: 'elected-s1.json',
      to: 'elected-s2.json',
      added: [{ name: 'third_AR', pubkey: THIRD }],
      removed: [{ name: 'other_NA', pubkey: OTHER }],
      rekeyed: [],
      seeds: { added: ['198.51.100.3'], removed: ['198.51.100.1'] },
      ours: { pubkey: PUBKEY, before: true, after: true },
      instances: [{ instance: 'main', host: 'here' }],
      unchanged: false,
    });
    const text = run(['season', 'plan', '--elected', 'elected-s2.json']);
    expect(text.stdout).toContain('+ 1 notaries: third_AR');
    expect(text.stdout).toContain('Iguana restarts: main on here');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('a list that does not elect this notary is refused; the platform file stays', () => {
    const before = readFileSync(file, 'utf8');
    const r = run(['season', 'apply', '--elected', 'elected-out.json', '--passphrase-stdin']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error season-not-elected: /);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('apply: platform file edited (comment kept, old one beside it), elected file installed, Iguana restarted and bootstrapped', () => {
    const pid = igPid();
    const r = run(['season', 'apply', '--elected', 'elected-s2.json', '--passphrase-stdin', '--json']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const j = JSON.parse(r.stdout) as {
      written: boolean;
      backup: string;
      instances: { instance: string; ok: boolean; restart: string }[];
    };
    expect(j.written).toBe(true);
    expect(j.instances).toMatchObject([{ instance: 'main', ok: true, restart: 'restarted' }]);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# the list of the running season (this comment stays)');
    expect(text).toMatch(/elected: \{ file: elected-s2\.json \}/);
    expect(readFileSync(j.backup, 'utf8')).toContain('file: elected-s1.json');
    const installed = JSON.parse(readFileSync(join(home, 'dPoW/iguana/elected'), 'utf8'));
    expect(installed.notaries).toEqual([{ me_EU: PUBKEY }, { third_AR: THIRD }]);
    expect(igPid()).not.toBe(pid);
    const s = run(['iguana', 'status', '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ state: 'running', unlock: { status: 'unlocked' } });
    // Once applied, applying again has nothing to do.
    const again = run(['season', 'apply', '--elected', 'elected-s2.json', '--passphrase-stdin']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already has this list');
    expect(readdirSync(dir).filter((f) => f.startsWith('dokomodo.yaml.bak-'))).toHaveLength(1);
  }, 120_000);
});
