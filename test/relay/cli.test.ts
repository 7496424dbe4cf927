/**
 * The relay from the command line, as an operator would use it: `relay cert` and `relay token`
 * make the files, `dokomodo relay` serves the gateway in front of the devnet's Iguana, and
 * `iguana up` (mutating, with the key-bearing walletpassphrase) and `iguana status` run from
 * "another machine" with `--via URL --pin FINGERPRINT` and the token in DOKOMODO_RELAY_TOKEN.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IguanaSim, startIguana } from '../../src/devnet/iguana.ts';
import { KMD } from '../../src/komodo/coins.ts';
import { deriveKeys } from '../../src/komodo/keys.ts';
import { IguanaError } from '../../src/operator/iguana-client.ts';
import { RelayIguanaClient } from '../../src/relay/client.ts';
import { cli, freePort, killLeftovers, secretsOf } from '../notary/helpers.ts';

const PASS = 'relay cli test passphrase — never for real coins';
const SECRETS = secretsOf([PASS]);
const PUBKEY = deriveKeys(PASS, [KMD]).pubkey;
const SECRET = 'relay-cli-test-secret-0123456789';
const ACS = ['NTRL01'];

const dir = mkdtempSync(join(tmpdir(), 'dokomodo-relay-cli-'));
const data = join(dir, 'data');
const certs = join(dir, 'certs');
const tokensFile = join(dir, 'relay.tokens');
const auditFile = join(dir, 'audit.log');
const file = join(dir, 'dokomodo.yaml');
let sim: IguanaSim | undefined;
let relay: ChildProcess | undefined;
let relayOut = '';
let relayPort = 0;
let pin = '';
const tok: Record<string, string> = {};

const env = { DOKOMODO_SECRET: SECRET, HOME: dir };
const run = (args: string[], input?: string, extra: Record<string, string | undefined> = {}) =>
  cli([...args, '-f', file], {
    env: { ...env, ...extra },
    secrets: SECRETS,
    ...(input !== undefined ? { input } : {}),
  });
const via = () => ['--via', `https://127.0.0.1:${relayPort}`, '--pin', pin];

/** `dokomodo relay` as its own process, resolved once it printed what it serves. */
async function startRelayProcess(): Promise<void> {
  relayOut = '';
  relay = spawn(
    process.execPath,
    [
      'bin/dokomodo.js',
      'relay',
      '-f',
      file,
      '--certs',
      certs,
      '--tokens',
      tokensFile,
      '--audit',
      auditFile,
      '--listen',
      `127.0.0.1:${relayPort}`,
      '--tunnel-listen',
      '127.0.0.1:0',
    ],
    { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  relay.stdout?.setEncoding('utf8').on('data', (s: string) => {
    relayOut += s;
  });
  relay.stderr?.setEncoding('utf8').on('data', (s: string) => {
    relayOut += s;
  });
  for (let i = 0; i < 200 && !relayOut.includes('audit'); i++) await new Promise((r) => setTimeout(r, 50));
}

const exited = (p: ChildProcess) =>
  new Promise<number | null>((resolve) => p.once('exit', (c) => resolve(c)));

beforeAll(async () => {
  const igPort = await freePort();
  relayPort = await freePort();
  writeFileSync(
    file,
    `version: 1
defaults: { pubkey: ${PUBKEY}, start: { concurrency: 4, timeout: 30s }, stop: { timeout: 10s } }
hosts:
  local: { address: 127.0.0.1 }
chains:
  KMD: { ports: { p2p: ${await freePort()}, rpc: ${await freePort()}, override: true } }
  NTRL01: { params: { ac_supply: 61234 } }
iguana:
  main: { port: ${igPort}, coins: [KMD, ${ACS.join(', ')}], notaries: dev, myip: 203.0.113.9 }
notaries:
  dev:
    minsigs: 1
    seeds: [198.51.100.20, 198.51.100.20, 198.51.100.20, 198.51.100.20, 198.51.100.20, 198.51.100.20, 198.51.100.20, 198.51.100.20]
    list:
      - { name: devnode_EU, pubkey: ${PUBKEY} }
`,
  );
  const r = await run(['start', '--devnet', '--datadir', data]);
  expect(r.stdout + r.stderr).toContain('start: 2 ok, 0 failed');
  const k = await run(['keys', 'import', 'KMD,NTRL01', '--passphrase-stdin'], `${PASS}\n`);
  expect(k.code).toBe(0);
  sim = await startIguana({ port: igPort, daemonRetryDelaysMs: [100, 200] });
}, 120_000);

afterAll(async () => {
  relay?.kill('SIGKILL');
  await sim?.close();
  await run(['stop', '--datadir', data]).catch(() => undefined);
  killLeftovers(data, ['KMD', ...ACS]);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('dokomodo relay', () => {
  it('relay cert makes the CA and the relay certificate, keys 0600, and prints the pin', async () => {
    const r = await run(['relay', 'cert', '--out', certs, '--name', 'local', '--san', '127.0.0.1,localhost']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('made the CA');
    pin = /pin {3}sha256:([0-9A-F:]{95})/.exec(r.stdout)?.[1] ?? '';
    expect(pin).toHaveLength(95);
    expect(statSync(join(certs, 'ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(certs, 'local-key.pem')).mode & 0o777).toBe(0o600);
    // a second relay's certificate is signed by the same CA
    const again = await run(['relay', 'cert', '--out', certs, '--name', 'other', '--san', '127.0.0.2']);
    expect(again.stdout).toContain('used the CA');
  });

  it('relay token prints the token once and keeps only its sha256', async () => {
    for (const [id, allow] of [
      ['reader', 'SuperNET.activehandle,dpow.*'],
      ['operator', '*,walletpassphrase'],
    ] as const) {
      const r = await run(['relay', 'token', '--id', id, '--allow', allow, '--tokens', tokensFile]);
      expect(r.code).toBe(0);
      tok[id] = r.stdout.trim();
      expect(tok[id]).toMatch(/^dkr_[A-Za-z0-9_-]{43}$/);
    }
    const text = readFileSync(tokensFile, 'utf8');
    expect(text).not.toContain(tok['reader']);
    expect(text).not.toContain(tok['operator']);
    expect(statSync(tokensFile).mode & 0o777).toBe(0o600);
    const dup = await run(['relay', 'token', '--id', 'reader', '--allow', '*', '--tokens', tokensFile]);
    expect([dup.code, dup.stderr]).toEqual([2, expect.stringContaining('error relay-token-exists')]);
  });

  it('serves the gateway; iguana up and status run through it with --via and a pinned certificate', async () => {
    await startRelayProcess();
    expect(relayOut).toContain(`gateway   https://127.0.0.1:${relayPort} → Iguana main@127.0.0.1:`);

    // without a token: refused before anything is sent
    const none = await run(['iguana', 'status', ...via()]);
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining('error relay-token-missing')]);
    // the reader may look but not bootstrap
    const denied = await run(
      ['iguana', 'up', '--passphrase-stdin', '--datadir', data, '--wait', '1', ...via()],
      `${PASS}\n`,
      { DOKOMODO_RELAY_TOKEN: tok['reader'] },
    );
    expect(denied.code).toBe(1);
    expect(denied.stdout + denied.stderr).toMatch(
      /relay refused: not-allowed: token reader does not allow SuperNET\.myipaddr/,
    );
    expect(sim!.myip).toBe('');

    const up = await run(
      ['iguana', 'up', '--passphrase-stdin', '--datadir', data, '--wait', '5', ...via()],
      `${PASS}\n`,
      { DOKOMODO_RELAY_TOKEN: tok['operator'] },
    );
    expect(up.stdout).toContain('ready:');
    expect(up.code).toBe(0);
    expect(sim!.pubkey).toBe(PUBKEY);
    expect([...sim!.coins.keys()]).toEqual(['KMD', ...ACS]);
    expect([...sim!.dpow.keys()]).toEqual(ACS);

    const st = await run(['iguana', 'status', '--json', ...via()], undefined, {
      DOKOMODO_RELAY_TOKEN: tok['reader'],
    });
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({
      reachable: true,
      state: 'running',
      identity: { pubkey: PUBKEY },
      endpoint: `127.0.0.1:${relayPort}`,
    });

    // a wrong pin: the token is never sent
    const before = readFileSync(auditFile, 'utf8').split('\n').length;
    const wrongPin = await run(
      [
        'iguana',
        'status',
        '--via',
        `https://127.0.0.1:${relayPort}`,
        '--pin',
        `sha256:${'00:'.repeat(31)}00`,
      ],
      undefined,
      { DOKOMODO_RELAY_TOKEN: tok['reader'] },
    );
    expect(wrongPin.code).toBe(1);
    expect(wrongPin.stdout + wrongPin.stderr).toMatch(/not the pinned one/);
    expect(readFileSync(auditFile, 'utf8').split('\n').length).toBe(before);
  }, 120_000);

  it('the audit log holds every call, no passphrase, no token', () => {
    const text = readFileSync(auditFile, 'utf8');
    for (const s of [...SECRETS, tok['reader']!, tok['operator']!]) expect(text.includes(s)).toBe(false);
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(
      lines.some(
        (l) => l['token'] === 'operator' && l['method'] === 'walletpassphrase' && l['result'] === 'ok',
      ),
    ).toBe(true);
    expect(lines.some((l) => l['token'] === 'reader' && l['result'] === 'not-allowed')).toBe(true);
    expect(statSync(auditFile).mode & 0o777).toBe(0o600);
  });

  it('relay killed mid-call: a clear error for the client; restarted, the next call goes through', async () => {
    // Iguana takes its time over one call, so that the relay dies while it is in flight
    const orig = sim!.request.bind(sim!);
    let slow = true;
    let reached = false;
    sim!.request = async (payload: unknown, remote?: boolean) => {
      if (slow && (payload as Record<string, unknown>)['method'] === 'notarizations') {
        reached = true;
        await new Promise((r) => setTimeout(r, 1500));
      }
      return orig(payload, remote);
    };
    const c = new RelayIguanaClient({
      url: `https://127.0.0.1:${relayPort}`,
      token: tok['operator']!,
      pin,
      timeoutMs: 10_000,
    });
    const pending = c.notarizations('KMD', 1, 1).catch((e: unknown) => e);
    for (let i = 0; i < 200 && !reached; i++) await new Promise((r) => setTimeout(r, 10));
    const gone = exited(relay!);
    relay!.kill('SIGKILL');
    await gone;
    const e = (await pending) as IguanaError;
    expect(e).toBeInstanceOf(IguanaError);
    expect(e.kind).toBe('empty');
    expect(e.message).toMatch(/relay closed the connection .*the call may or may not have reached Iguana/);
    const down = (await c.notarychains().catch((x: unknown) => x)) as IguanaError;
    expect(down.message).toMatch(/connection refused \(is the relay running\?\)/);
    slow = false;
    await startRelayProcess();
    expect(await c.notarizations('KMD', 1, 1)).toBeTypeOf('object');
    // the audit log still parses line by line: the kill left no torn line
    for (const l of readFileSync(auditFile, 'utf8').trim().split('\n'))
      expect(() => JSON.parse(l)).not.toThrow();
  }, 60_000);

  it('SIGHUP re-reads the tokens file: a token added meanwhile works', async () => {
    const r = await run(['relay', 'token', '--id', 'late', '--allow', 'dpow.*', '--tokens', tokensFile]);
    const late = r.stdout.trim();
    const c = new RelayIguanaClient({
      url: `https://127.0.0.1:${relayPort}`,
      token: late,
      pin,
      timeoutMs: 10_000,
    });
    await expect(c.ipaddrs()).rejects.toThrow(/relay refused: bad-token/);
    relay!.kill('SIGHUP');
    for (let i = 0; i < 100 && !relayOut.includes('tokens re-read'); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await c.ipaddrs()).toBeInstanceOf(Array);
  });

  it('a client certificate of the relay CA instead of a token: relay token --cert, --via with --relay-certs', async () => {
    const c = await run(['relay', 'cert', '--out', certs, '--name', 'operator', '--san', 'laptop.invalid']);
    expect(c.code, c.stderr).toBe(0);
    const e = await run([
      'relay',
      'token',
      '--id',
      'laptop',
      '--cert',
      'operator',
      '--allow',
      'SuperNET.activehandle,dpow.*',
      '--tokens',
      tokensFile,
    ]);
    expect([e.code, e.stdout]).toEqual([0, '']);
    expect(e.stderr).toContain('a client certificate of the relay CA named operator');
    relayOut = '';
    relay!.kill('SIGHUP');
    for (let i = 0; i < 100 && !relayOut.includes('tokens re-read'); i++)
      await new Promise((r) => setTimeout(r, 20));
    const st = await run(
      ['iguana', 'status', '--json', ...via(), '--relay-certs', certs, '--relay-name', 'operator'],
      undefined,
      {
        DOKOMODO_RELAY_TOKEN: undefined,
      },
    );
    expect(st.code, st.stdout + st.stderr).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ reachable: true, state: 'running' });
    const lines = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l['token'] === 'laptop' && l['result'] === 'ok')).toBe(true);
  });

  it('stops on SIGTERM', async () => {
    const gone = exited(relay!);
    relay!.kill('SIGTERM');
    const code = await gone;
    expect(code).toBe(0);
    relay = undefined;
  });
});
