/**
 * The relay in front of the real Iguana (KomodoPlatform/dPoW, built by ../shared/tools/iguana/build.sh,
 * as test/e2e does), in a private network namespace: `iguana up --via` bootstraps it through the
 * gateway — the real Iguana takes `walletpassphrase` and `splitfunds`-class calls only from
 * 127.0.0.1 (reference §10a), and the relay is that 127.0.0.1 — and `iguana status --via` reads it
 * back. A read-only token cannot bootstrap. Skipped, saying why, where the real Iguana cannot be
 * built (not root, not Linux).
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KMD } from '../../src/komodo/coins.ts';
import { deriveKeys } from '../../src/komodo/keys.ts';
import { Netns, realIguana, waitFor } from '../e2e/helpers.ts';
import { killLeftovers, secretsOf } from '../notary/helpers.ts';

const found = realIguana();
const why = 'why' in found ? found.why : '';
if (why) console.warn(`test/relay/real-iguana: skipped, the real Iguana is not available: ${why}`);

const PASS = 'relay real iguana passphrase — never for real coins';
const PUBKEY = deriveKeys(PASS, [KMD]).pubkey;
const SECRET = 'relay-real-iguana-secret-0123456789';
const SECRETS = [...secretsOf([PASS]), SECRET];

const root = mkdtempSync(join(tmpdir(), 'dokomodo-relay-real-'));
const home = join(root, 'home');
const file = join(root, 'dokomodo.yaml');
const igDir = join(root, 'iguana-cwd');
const igLog = join(root, 'iguana.log');
const relayLog = join(root, 'relay.log');
const certs = join(root, 'certs');
const tokensFile = join(root, 'relay.tokens');
const auditFile = join(root, 'audit.log');
let ns: Netns | undefined;
let iguana: ChildProcess | undefined;
let relay: ChildProcess | undefined;
let pin = '';
const tok: Record<string, string> = {};

const run = (
  args: string[],
  opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {},
) =>
  ns!.dokomodo([...args, '-f', file], {
    env: { HOME: home, DOKOMODO_SECRET: SECRET, ...opts.env },
    secrets: [...SECRETS, ...Object.values(tok)],
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    timeoutMs: opts.timeoutMs ?? 180_000,
  });
const text = (p: string) => (existsSync(p) ? readFileSync(p, 'latin1') : '');
const via = () => ['--via', 'https://127.0.0.1:7780', '--pin', pin];

describe.skipIf(why !== '')('the relay in front of the real Iguana', () => {
  beforeAll(async () => {
    writeFileSync(
      file,
      `version: 1
secret: { env: DOKOMODO_SECRET }
defaults:
  pubkey: ${PUBKEY}
  datadir: ~/komodo
  start: { concurrency: 4, timeout: 60s }
hosts:
  local: { address: 127.0.0.1, home: ${home}, roles: [chains, iguana] }
chains:
  KMD: { host: local, args: { devnet-notarize-every: 0 } }
  RIGUA1: { host: local, params: { ac_supply: 1000000 }, args: { devnet-notarize-every: 0 } }
iguana:
  main: { host: local, port: 7776, coins: [KMD, RIGUA1], notaries: dev }
notaries:
  dev:
    minsigs: 1
    seeds: [127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2]
    list: [{ name: relay_EU, pubkey: ${PUBKEY} }]
`,
    );
    ns = await Netns.create();
  }, 60_000);

  afterAll(async () => {
    relay?.kill('SIGKILL');
    iguana?.kill('SIGKILL');
    if (ns) {
      await run(['stop', 'KMD', 'RIGUA1']).catch(() => undefined);
      ns.close();
    }
    killLeftovers(join(home, 'komodo'), ['KMD', 'RIGUA1']);
    rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it('render, start the chains, the real Iguana and the relay', async () => {
    const out = join(root, 'out');
    const r = await run(['render', '-o', out, '-t', 'conf,iguana']);
    expect(r.code, r.stderr).toBe(0);
    cpSync(join(out, 'hosts', 'local', 'home'), home, { recursive: true });
    const a = await run(['start', '--devnet', 'KMD', 'RIGUA1']);
    expect(a.stdout + a.stderr).toContain('start: 2 ok, 0 failed');
    const k = await run(['keys', 'import', '--passphrase-stdin'], { input: `${PASS}\n` });
    expect(k.code, k.stderr).toBe(0);

    mkdirSync(igDir, { recursive: true });
    cpSync(join(home, 'dPoW', 'iguana'), igDir, { recursive: true });
    iguana = ns!.daemon('stdbuf', ['-oL', (found as { bin: string }).bin, 'notary'], {
      cwd: igDir,
      log: igLog,
    });
    const up = await waitFor(30_000, 250, async () =>
      text(igLog).includes('iguana API enabled') ? true : undefined,
    );
    expect(up, text(igLog).slice(-2000)).toBe(true);

    const c = await run(['relay', 'cert', '--out', certs, '--name', 'local', '--san', '127.0.0.1']);
    pin = /pin {3}sha256:([0-9A-F:]{95})/.exec(c.stdout)?.[1] ?? '';
    expect(pin).toHaveLength(95);
    for (const [id, allow] of [
      ['reader', 'SuperNET.activehandle,dpow.*'],
      ['operator', '*,walletpassphrase'],
    ] as const) {
      const t = await run(['relay', 'token', '--id', id, '--allow', allow, '--tokens', tokensFile]);
      expect(t.code, t.stderr).toBe(0);
      tok[id] = t.stdout.trim();
    }
    relay = ns!.daemon(
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
        '127.0.0.1:7780',
        '--tunnel-listen',
        '127.0.0.1:7781',
      ],
      { cwd: process.cwd(), log: relayLog },
    );
    const served = await waitFor(20_000, 100, async () =>
      text(relayLog).includes('audit') ? true : undefined,
    );
    expect(served, text(relayLog)).toBe(true);
  }, 300_000);

  it('a read-only token cannot bootstrap; nothing reaches Iguana', async () => {
    const r = await run(['iguana', 'up', '--passphrase-stdin', '--wait', '1', ...via()], {
      input: `${PASS}\n`,
      env: { DOKOMODO_RELAY_TOKEN: tok['reader']! },
    });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(
      /relay refused: not-allowed: token reader does not allow SuperNET\.myipaddr/,
    );
  }, 120_000);

  it('iguana up --via bootstraps the real Iguana through the gateway, walletpassphrase included', async () => {
    const r = await run(['iguana', 'up', '--passphrase-stdin', '--json', '--wait', '30', ...via()], {
      input: `${PASS}\n`,
      env: { DOKOMODO_RELAY_TOKEN: tok['operator']! },
    });
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      steps: Array<{ id: string; state: string; error?: unknown }>;
    };
    // every step done (unlockutxos may have nothing to do: skipped)
    expect(
      out.steps.filter(
        (s) => s.state !== 'done' && !(s.id.startsWith('unlockutxos') && s.state === 'skipped'),
      ),
      r.stdout,
    ).toEqual([]);
    const state = Object.fromEntries(out.steps.map((s) => [s.id, s.state]));
    expect(state).toMatchObject({
      walletpassphrase: 'done',
      'addcoin:RIGUA1': 'done',
      'dpow:RIGUA1': 'done',
    });
    expect(r.code).toBe(0);
    // the real Iguana took walletpassphrase: the relay is 127.0.0.1 to it
    expect(text(igLog)).not.toContain('no remote');
    const s = await run(['iguana', 'status', '--json', ...via()], {
      env: { DOKOMODO_RELAY_TOKEN: tok['reader']! },
    });
    expect(s.code, s.stdout + s.stderr).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({
      reachable: true,
      state: 'running',
      identity: { pubkey: PUBKEY },
      unlock: { status: 'unlocked', expired: false },
      endpoint: '127.0.0.1:7780',
    });
  }, 240_000);

  it('the audit log names every call and holds no passphrase, key or token', () => {
    const log = text(auditFile);
    for (const s of [...SECRETS, ...Object.values(tok)]) expect(log.includes(s)).toBe(false);
    const lines = log
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { token: string; method: string; result: string });
    expect(
      lines.some((l) => l.token === 'operator' && l.method === 'walletpassphrase' && l.result === 'ok'),
    ).toBe(true);
    expect(lines.some((l) => l.token === 'operator' && l.method === 'iguana.dpow' && l.result === 'ok')).toBe(
      true,
    );
    expect(lines.some((l) => l.token === 'reader' && l.result === 'not-allowed')).toBe(true);
  });
});
